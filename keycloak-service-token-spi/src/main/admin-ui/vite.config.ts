import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

declare const process: { env: Record<string, string | undefined> };

// Keycloak renders the admin theme's index.ftl from the parent theme and finds our entry through
// resources/.vite/manifest.json. Maven passes the directory inside target/classes; by hand it is dist/.
const outDir = process.env.ADMIN_UI_OUT_DIR ?? "dist";

// Served by the parent theme's import map: bundling our own copy would give the page two Reacts.
const serverProvided = ["react", "react-dom", "react/jsx-runtime", "react-dom/client"];

export default defineConfig({
  base: "./",
  plugins: [react()],
  resolve: {
    // The admin-ui package leaves the router and i18n to us: exactly one copy, or its contexts break.
    dedupe: ["react-router-dom", "react-router", "react-i18next", "i18next"],
  },
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      input: "src/main.tsx",
      external: serverProvided,
      output: {
        // One chunk: Keycloak turns shared-chunk manifest keys into preload links that 404.
        inlineDynamicImports: true,
        // The import map only knows "react-dom", whose module also exports createRoot.
        paths: { "react-dom/client": "react-dom" },
      },
    },
  },
});

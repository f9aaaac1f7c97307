import "@patternfly/patternfly/patternfly-addons.css";
import "@patternfly/react-core/dist/styles/base.css";
import "@keycloak/keycloak-admin-ui/styles.css";
import "./index.css";

import { KeycloakProvider, routes as stockRoutes } from "@keycloak/keycloak-admin-ui";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createHashRouter, RouterProvider } from "react-router-dom";
import { App } from "./App";
import { environment } from "./environment";
import { i18n } from "./i18n";
import { serviceTokenRoutes } from "./service-tokens/routes";

await i18n.init();

// The stock routes unchanged, plus ours; React Router ranks by specificity, so the stock "*" stays the fallback.
const router = createHashRouter([
  {
    path: "/",
    element: (
      <KeycloakProvider environment={environment}>
        <App />
      </KeycloakProvider>
    ),
    children: [...serviceTokenRoutes, ...stockRoutes],
  },
]);

createRoot(document.getElementById("app")!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);

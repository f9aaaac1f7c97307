// `npm ci` when package-lock.json changed since the last install, else nothing: every `mvn package` runs this,
// and a clean reinstall costs half a minute on a small build machine.
import { createHash } from "node:crypto";
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "node_modules", ".installed-lock-sha256");
const lockHash = createHash("sha256")
  .update(readFileSync(join(root, "package-lock.json")))
  .digest("hex");

if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === lockHash) {
  console.log("admin-ui: node_modules matches package-lock.json");
} else {
  execSync("npm ci --no-audit --no-fund", { cwd: root, stdio: "inherit" });
  writeFileSync(stamp, lockHash + "\n");
}

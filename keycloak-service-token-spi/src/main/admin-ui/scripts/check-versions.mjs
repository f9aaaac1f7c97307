// Fails the build when the stock console we re-compose is not the one the server ships: the admin-ui package
// must be exactly the Keycloak distribution version from the parent pom, and the router and i18n must resolve
// to a single copy (two copies split React contexts and the console renders blank).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const json = (path) => JSON.parse(readFileSync(join(root, path), "utf8"));

function keycloakDistVersion() {
  if (process.env.KEYCLOAK_DIST_VERSION) return process.env.KEYCLOAK_DIST_VERSION;
  const parentPom = readFileSync(join(root, "../../../../pom.xml"), "utf8");
  const match = parentPom.match(/<keycloak\.dist\.version>([^<]+)<\/keycloak\.dist\.version>/);
  if (!match) throw new Error("keycloak.dist.version not found in the parent pom.xml");
  return match[1].trim();
}

const expected = keycloakDistVersion();
const problems = [];
const declared = json("package.json").dependencies["@keycloak/keycloak-admin-ui"];
if (declared !== expected) {
  problems.push(
    `package.json pins @keycloak/keycloak-admin-ui "${declared}", the parent pom's keycloak.dist.version is ${expected}`,
  );
}
const locked = json("package-lock.json").packages?.["node_modules/@keycloak/keycloak-admin-ui"]?.version;
if (locked !== expected) {
  problems.push(`package-lock.json resolves @keycloak/keycloak-admin-ui ${locked}, expected ${expected}`);
}
const installed = json("node_modules/@keycloak/keycloak-admin-ui/package.json").version;
if (installed !== expected) {
  problems.push(`node_modules holds @keycloak/keycloak-admin-ui ${installed}, expected ${expected} (run npm ci)`);
}

// Nested copies would sit under some package's own node_modules.
function nestedCopies(name, dir = join(root, "node_modules"), found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === ".bin") continue;
    const pkgDir = join(dir, entry.name);
    const children = entry.name.startsWith("@")
      ? readdirSync(pkgDir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => join(pkgDir, e.name))
      : [pkgDir];
    for (const child of children) {
      const nested = join(child, "node_modules");
      if (existsSync(join(nested, name, "package.json"))) found.push(join(nested, name));
      if (existsSync(nested)) nestedCopies(name, nested, found);
    }
  }
  return found;
}
for (const name of ["react-router-dom", "react-router", "react-i18next", "i18next", "react", "react-dom"]) {
  const copies = nestedCopies(name);
  if (copies.length > 0) problems.push(`more than one copy of ${name}: ${copies.join(", ")}`);
}

if (problems.length > 0) {
  console.error("admin-ui version check failed:\n  " + problems.join("\n  "));
  process.exit(1);
}
console.log(`admin-ui version check: @keycloak/keycloak-admin-ui ${expected} matches the Keycloak distribution`);

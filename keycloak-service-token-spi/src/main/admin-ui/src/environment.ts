import type { AdminEnvironment } from "@keycloak/keycloak-admin-ui";

/** The block the parent theme's index.ftl renders into the page (server URLs, login realm, client ID). */
export const environment = JSON.parse(document.getElementById("environment")?.textContent ?? "{}") as AdminEnvironment;

import {
  type AdminEnvironment,
  routes,
  useAccess,
  useEnvironment,
  useRealm,
  useServerInfo,
} from "@keycloak/keycloak-admin-ui";
import { Label, Nav, NavGroup, PageSidebar, PageSidebarBody } from "@patternfly/react-core";
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router-dom";
import { serviceTokenRoutes } from "./service-tokens/routes";

type Access = Parameters<ReturnType<typeof useAccess>["hasAccess"]>[number];
type RouteWithAccess = { path?: string; handle?: { access?: Access | Access[] } };

const allRoutes = [...serviceTokenRoutes, ...routes] as RouteWithAccess[];

/** A nav link shown only when the admin may open its route, as the stock nav decides. */
const NavItem = ({ title, path }: { title: string; path: string }) => {
  const { t } = useTranslation();
  const { hasAccess } = useAccess();
  const { realm } = useRealm();
  const route = allRoutes.find((r) => r.path?.replace(/\/:.+?(\?|(?:(?!\/).)*|$)/g, "") === path);
  const access = route?.handle?.access;
  if (!route || access === undefined || !(Array.isArray(access) ? hasAccess(...access) : hasAccess(access))) {
    return null;
  }
  const id = "nav-item" + path.replace("/", "-");
  return (
    <li>
      <NavLink
        id={id}
        data-testid={id}
        to={`/${encodeURIComponent(realm)}${path}`}
        className={({ isActive }) => `pf-v5-c-nav__link${isActive ? " pf-m-current" : ""}`}
      >
        {t(title)}
      </NavLink>
    </li>
  );
};

/**
 * The stock left navigation (a hard-coded list the admin-ui package does not let us extend), re-composed
 * with one addition: "Service tokens" in the Manage group, right after Clients.
 */
export const PageNav = () => {
  const { t } = useTranslation();
  const { environment } = useEnvironment<AdminEnvironment>();
  const { hasSomeAccess } = useAccess();
  const { features } = useServerInfo();
  const { realm, realmRepresentation } = useRealm();
  const featureOn = (name: string) => !!features?.some((f) => f.enabled && f.name === name);

  const showManage = hasSomeAccess(
    "view-realm",
    "query-groups",
    "query-users",
    "query-clients",
    "query-organizations",
    "view-events",
  );
  const showConfigure = hasSomeAccess("view-realm", "query-clients", "view-identity-providers");
  const showOrganizations =
    featureOn("ORGANIZATION") &&
    realmRepresentation?.organizationsEnabled &&
    hasSomeAccess("manage-realm", "query-organizations");

  return (
    <PageSidebar className="keycloak__page_nav__nav">
      <PageSidebarBody>
        <Nav>
          <h2 className="pf-v5-c-nav__section-title" style={{ wordWrap: "break-word" }}>
            <span data-testid="currentRealm">{realmRepresentation?.displayName || realm}</span>{" "}
            <Label color="blue">{t("currentRealm")}</Label>
          </h2>
          {environment.masterRealm === environment.realm && (
            <NavGroup>
              <NavItem title="manageRealms" path="/realms" />
            </NavGroup>
          )}
          {showManage && (
            <NavGroup aria-label={t("manage")} title={t("manage")}>
              {showOrganizations && <NavItem title="organizations" path="/organizations" />}
              <NavItem title="clients" path="/clients" />
              <NavItem title="serviceTokens" path="/service-tokens" />
              <NavItem title="clientScopes" path="/client-scopes" />
              <NavItem title="realmRoles" path="/roles" />
              <NavItem title="users" path="/users" />
              <NavItem title="groups" path="/groups" />
              <NavItem title="sessions" path="/sessions" />
              <NavItem title="events" path="/events" />
            </NavGroup>
          )}
          {showConfigure && (
            <NavGroup aria-label={t("configure")} title={t("configure")}>
              <NavItem title="realmSettings" path="/realm-settings" />
              <NavItem title="authentication" path="/authentication" />
              {featureOn("ADMIN_FINE_GRAINED_AUTHZ_V2") && realmRepresentation?.adminPermissionsEnabled && (
                <NavItem title="permissions" path="/permissions" />
              )}
              <NavItem title="identityProviders" path="/identity-providers" />
              <NavItem title="userFederation" path="/user-federation" />
              {featureOn("WORKFLOWS") && hasSomeAccess("realm-admin", "admin") && (
                <NavItem title="workflows" path="/workflows" />
              )}
            </NavGroup>
          )}
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );
};

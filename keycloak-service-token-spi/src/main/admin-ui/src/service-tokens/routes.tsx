import type { TFunction } from "i18next";
import { lazy } from "react";
import { type RouteObject } from "react-router-dom";
import { ServiceTokenAlerts } from "./alerts";

const ServiceTokensSection = lazy(() => import("./ServiceTokensSection"));
const TokenDetails = lazy(() => import("./TokenDetails"));
const SettingsPage = lazy(() => import("./SettingsPage"));

// Reading needs view-clients (as the REST API); the pages hide what needs manage-clients / manage-realm.
const access = "view-clients" as const;
const serviceTokensCrumb = (t: TFunction) => t("serviceTokens");

/** Our routes, shaped like the stock ones (path, access, breadcrumb) so the stock nav, breadcrumbs and auth wall work. */
export const serviceTokenRoutes: (RouteObject & { path: string; handle: object })[] = [
  {
    path: "/:realm/service-tokens",
    element: (
      <ServiceTokenAlerts>
        <ServiceTokensSection />
      </ServiceTokenAlerts>
    ),
    handle: { access, breadcrumb: serviceTokensCrumb },
  },
  {
    path: "/:realm/service-tokens/settings",
    element: (
      <ServiceTokenAlerts>
        <SettingsPage />
      </ServiceTokenAlerts>
    ),
    handle: { access, breadcrumb: (t: TFunction) => t("serviceTokenSettings") },
  },
  {
    path: "/:realm/service-tokens/:id",
    element: (
      <ServiceTokenAlerts>
        <TokenDetails />
      </ServiceTokenAlerts>
    ),
    handle: { access, breadcrumb: (t: TFunction) => t("serviceTokenDetails") },
  },
];

export const toServiceTokens = (realm: string) => `/${encodeURIComponent(realm)}/service-tokens`;
export const toServiceTokenSettings = (realm: string) => `${toServiceTokens(realm)}/settings`;
export const toServiceToken = (realm: string, id: string) => `${toServiceTokens(realm)}/${encodeURIComponent(id)}`;

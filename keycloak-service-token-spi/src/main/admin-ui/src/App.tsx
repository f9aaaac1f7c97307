import {
  AdminClientProvider,
  AppContexts,
  ErrorRenderer,
  ForbiddenSection,
  Header,
  PageBreadCrumbs,
  useAccess,
  useWhoAmI,
} from "@keycloak/keycloak-admin-ui";
import { Banner, Flex, FlexItem, Page, Spinner } from "@patternfly/react-core";
import { ExclamationTriangleIcon } from "@patternfly/react-icons";
import { Component, type ErrorInfo, type PropsWithChildren, type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Outlet, useMatches } from "react-router-dom";
import { PageNav } from "./PageNav";

// The element id the stock console gives its main container (skip-to-content links and scroll resets use it).
const MAIN_CONTENT_ID = "kc-main-content-page-container";

type AccessType = Parameters<ReturnType<typeof useAccess>["hasAccess"]>[number];

/** The stock App layout (header, nav, breadcrumbs, banners), with our nav in place of the hard-coded one. */
export const App = () => (
  <AdminClientProvider>
    <AppContexts>
      <Flex
        direction={{ default: "column" }}
        flexWrap={{ default: "nowrap" }}
        spaceItems={{ default: "spaceItemsNone" }}
        style={{ height: "100%" }}
      >
        <FlexItem>
          <TemporaryAdminBanner />
        </FlexItem>
        <FlexItem grow={{ default: "grow" }} style={{ minHeight: 0 }}>
          <Page
            header={<Header />}
            isManagedSidebar
            sidebar={<PageNav />}
            breadcrumb={<PageBreadCrumbs />}
            mainContainerId={MAIN_CONTENT_ID}
          >
            <PageErrorBoundary>
              <Suspense fallback={<Spinner />}>
                <AuthWall>
                  <Outlet />
                </AuthWall>
              </Suspense>
            </PageErrorBoundary>
          </Page>
        </FlexItem>
      </Flex>
    </AppContexts>
  </AdminClientProvider>
);

/** As stock: a page whose route needs roles the admin lacks shows the stock "forbidden" section. */
const AuthWall = ({ children }: PropsWithChildren) => {
  const matches = useMatches();
  const { hasAccess } = useAccess();
  const needed = matches.flatMap(({ handle }) => {
    if (typeof handle !== "object" || handle === null || !("access" in handle)) return [];
    const access = (handle as { access: AccessType | AccessType[] }).access;
    return Array.isArray(access) ? access : [access];
  });
  return hasAccess(...needed) ? <>{children}</> : <ForbiddenSection permissionNeeded={needed} />;
};

/** As stock: an error inside a page keeps the header and navigation usable. */
class PageErrorBoundary extends Component<PropsWithChildren, { error?: Error }> {
  state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(_error: Error, _info: ErrorInfo) {
    // Rendered by ErrorRenderer below; nothing to log (an error text could echo request data).
  }

  render(): ReactNode {
    const { error } = this.state;
    return error ? <ErrorRenderer error={error} /> : this.props.children;
  }
}

const TemporaryAdminBanner = () => {
  const { t } = useTranslation();
  const { whoAmI } = useWhoAmI();
  if (!whoAmI.temporary) return null;
  return (
    <Banner screenReaderText={t("loggedInAsTempAdminUser")} variant="gold">
      <ExclamationTriangleIcon style={{ marginRight: "0.3rem" }} />
      {t("loggedInAsTempAdminUser")}
    </Banner>
  );
};

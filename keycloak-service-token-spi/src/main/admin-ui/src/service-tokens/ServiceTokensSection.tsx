import { useAccess, useConfirmDialog, useRealm, ViewHeader } from "@keycloak/keycloak-admin-ui";
import {
  Button,
  ButtonVariant,
  EmptyState,
  EmptyStateBody,
  EmptyStateHeader,
  EmptyStateIcon,
  Label,
  LabelGroup,
  PageSection,
  Pagination,
  SearchInput,
  Spinner,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { KeyIcon } from "@patternfly/react-icons";
import { ActionsColumn, type IAction, Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { useAlerts } from "./alerts";
import { ServiceTokensTabs } from "./ServiceTokensTabs";
import { type ServiceToken, useServiceTokenApi } from "./api";
import { CreateTokenDialog } from "./CreateTokenDialog";
import { useFormatTime, StatusLabel } from "./format";
import { toServiceToken } from "./routes";
import { useTokenActions } from "./useTokenActions";

const PAGE_SIZES = [10, 20, 50, 100];

/** Realm → Service tokens: the list with search, paging and row actions; Create for managers. */
export default function ServiceTokensSection() {
  const { t } = useTranslation();
  const { realm } = useRealm();
  const { hasAccess } = useAccess();
  const canManage = hasAccess("manage-clients");
  const api = useServiceTokenApi();
  const { addError } = useAlerts();
  const formatTime = useFormatTime();

  const [search, setSearch] = useState("");
  const [appliedSearch, setAppliedSearch] = useState("");
  const [first, setFirst] = useState(0);
  const [max, setMax] = useState(10);
  const [tokens, setTokens] = useState<ServiceToken[]>();
  const [hasMore, setHasMore] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [creating, setCreating] = useState(false);
  const reload = useCallback(() => setReloadKey((key) => key + 1), []);
  const actions = useTokenActions(reload);

  useEffect(() => {
    let current = true;
    // One more than a page tells whether a next page exists, as the stock tables do.
    api
      .list(appliedSearch, first, max + 1)
      .then((page) => {
        if (!current) return;
        setHasMore(page.length > max);
        setTokens(page.slice(0, max));
      })
      .catch((error) => current && (setTokens([]), addError("serviceTokenListError", error)));
    return () => {
      current = false;
    };
  }, [api, appliedSearch, first, max, reloadKey, addError]);

  const [toggleRevokeDialog, RevokeConfirm] = useConfirmDialog({
    titleKey: t("serviceTokenRevokeTitle", { name: actions.revokeTarget?.name }),
    messageKey: t("serviceTokenRevokeMessage", { clientId: actions.revokeTarget?.clientId }),
    continueButtonLabel: "serviceTokenRevoke",
    continueButtonVariant: ButtonVariant.danger,
    onConfirm: () => void actions.confirmRevoke(),
  });

  const rowActions = (token: ServiceToken): IAction[] => [
    { title: t("serviceTokenRotate"), onClick: () => actions.startRotate(token) },
    { title: t("serviceTokenExtend"), onClick: () => actions.startExtend(token) },
    { title: t(token.enabled ? "disable" : "serviceTokenEnable"), onClick: () => void actions.toggleEnabled(token) },
    { isSeparator: true },
    {
      title: t("serviceTokenRevoke"),
      onClick: () => {
        actions.setRevokeTarget(token);
        toggleRevokeDialog();
      },
    },
  ];

  const pagination = (variant: "top" | "bottom") => (
    <Pagination
      variant={variant}
      isCompact={variant === "top"}
      perPageOptions={PAGE_SIZES.map((size) => ({ title: String(size), value: size }))}
      itemCount={first + (tokens?.length ?? 0) + (hasMore ? 1 : 0)}
      page={Math.floor(first / max) + 1}
      perPage={max}
      toggleTemplate={({ firstIndex, lastIndex }) => (
        <>
          <b>
            {firstIndex} - {lastIndex}
          </b>
        </>
      )}
      onSetPage={(_event, page) => setFirst((page - 1) * max)}
      onPerPageSelect={(_event, perPage) => {
        setMax(perPage);
        setFirst(0);
      }}
    />
  );

  return (
    <>
      <ViewHeader titleKey="serviceTokens" subKey="serviceTokensExplain" divider={false} />
      <PageSection variant="light" className="pf-v5-u-p-0">
        <ServiceTokensTabs active="tokens" />
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <SearchInput
                placeholder={t("serviceTokenSearch")}
                aria-label={t("serviceTokenSearch")}
                data-testid="service-token-search"
                value={search}
                onChange={(_event, value) => setSearch(value)}
                onSearch={() => {
                  setFirst(0);
                  setAppliedSearch(search.trim());
                }}
                onClear={() => {
                  setSearch("");
                  setFirst(0);
                  setAppliedSearch("");
                }}
              />
            </ToolbarItem>
            {canManage && (
              <ToolbarItem>
                <Button data-testid="create-service-token" onClick={() => setCreating(true)}>
                  {t("serviceTokenCreate")}
                </Button>
              </ToolbarItem>
            )}
            <ToolbarItem variant="pagination">{pagination("top")}</ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        {!tokens ? (
          <Spinner />
        ) : tokens.length === 0 ? (
          <EmptyState variant="lg" data-testid="service-tokens-empty">
            <EmptyStateHeader
              titleText={t(appliedSearch ? "noSearchResults" : "serviceTokenNone")}
              icon={<EmptyStateIcon icon={KeyIcon} />}
              headingLevel="h2"
            />
            <EmptyStateBody>{t(appliedSearch ? "noSearchResultsInstructions" : "serviceTokenNoneHelp")}</EmptyStateBody>
          </EmptyState>
        ) : (
          <Table aria-label={t("serviceTokens")} variant="compact" data-testid="service-tokens-table">
            <Thead>
              <Tr>
                <Th>{t("name")}</Th>
                <Th>{t("clientId")}</Th>
                <Th>{t("status")}</Th>
                <Th>{t("serviceTokenApplications")}</Th>
                <Th>{t("serviceTokenCreated")}</Th>
                <Th>{t("serviceTokenExpires")}</Th>
                <Th>{t("serviceTokenLastUsed")}</Th>
                {canManage && <Th screenReaderText={t("serviceTokenActions")} />}
              </Tr>
            </Thead>
            <Tbody>
              {tokens.map((token) => (
                <Tr key={token.id} data-testid="service-token-row" data-client-id={token.clientId}>
                  <Td dataLabel={t("name")}>
                    <Link to={toServiceToken(realm, token.id)}>{token.name}</Link>
                  </Td>
                  <Td dataLabel={t("clientId")}>
                    <code>{token.clientId}</code>
                  </Td>
                  <Td dataLabel={t("status")}>
                    <StatusLabel status={token.status} reason={token.problems?.[0]?.description} />
                  </Td>
                  <Td dataLabel={t("serviceTokenApplications")}>
                    <LabelGroup numLabels={3}>
                      {token.applications.map((app) => (
                        <Label key={app} isCompact>
                          {app}
                        </Label>
                      ))}
                    </LabelGroup>
                  </Td>
                  <Td dataLabel={t("serviceTokenCreated")}>{formatTime(token.createdAt, "serviceTokenUnknown")}</Td>
                  <Td dataLabel={t("serviceTokenExpires")}>
                    {formatTime(token.expiresAt, "serviceTokenNeverExpires")}
                  </Td>
                  <Td dataLabel={t("serviceTokenLastUsed")}>{formatTime(token.lastUsedAt, "serviceTokenNeverUsed")}</Td>
                  {canManage && (
                    <Td isActionCell>
                      <ActionsColumn items={rowActions(token)} />
                    </Td>
                  )}
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        {tokens && tokens.length > 0 && pagination("bottom")}
      </PageSection>
      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            reload();
            actions.showSecret(created);
          }}
        />
      )}
      <RevokeConfirm />
      {actions.dialogs}
    </>
  );
}

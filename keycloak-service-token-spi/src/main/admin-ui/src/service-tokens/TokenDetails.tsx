import { useAccess, useConfirmDialog, useRealm, ViewHeader } from "@keycloak/keycloak-admin-ui";
import {
  ActionGroup,
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  ButtonVariant,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  DropdownItem,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  PageSection,
  Spinner,
  TextArea,
  TextInput,
} from "@patternfly/react-core";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { useAlerts } from "./alerts";
import { type ServiceToken, ServiceTokenApiError, useServiceTokenApi } from "./api";
import { ApplicationsSelect } from "./ApplicationsSelect";
import { StatusLabel, useDescribeUse, useFormatTime } from "./format";
import { toServiceTokens } from "./routes";
import { useTokenActions } from "./useTokenActions";
import { FieldHelp } from "./FieldHelp";

/** One token: every field the API reports, the same actions as the list, and editing for managers. */
export default function TokenDetails() {
  const { t } = useTranslation();
  const { id } = useParams<{ id: string }>();
  const { realm } = useRealm();
  const { hasAccess } = useAccess();
  const canManage = hasAccess("manage-clients");
  const api = useServiceTokenApi();
  const { addAlert, addError } = useAlerts();
  const navigate = useNavigate();
  const formatTime = useFormatTime();
  const [token, setToken] = useState<ServiceToken>();
  const [draft, setDraft] = useState<
    Pick<ServiceToken, "name" | "description" | "applications"> & {
      networks: string;
      owners: string;
      inactivityAction: string;
      inactivityDays: string;
    }
  >();
  const [networksError, setNetworksError] = useState<string>();
  const describeUse = useDescribeUse();
  const [reloadKey, setReloadKey] = useState(0);
  const reload = useCallback(() => setReloadKey((key) => key + 1), []);
  const actions = useTokenActions(reload, () => void navigate(toServiceTokens(realm)));

  useEffect(() => {
    let current = true;
    api
      .get(id!)
      .then((loaded) => {
        if (!current) return;
        setToken(loaded);
        setDraft({
          name: loaded.name,
          description: loaded.description ?? "",
          applications: loaded.applications,
          networks: (loaded.networks ?? []).join("\n"),
          owners: (loaded.owners ?? []).join("\n"),
          inactivityAction: loaded.inactivityAction ?? "realm",
          inactivityDays: loaded.inactivityDays ? String(loaded.inactivityDays) : "",
        });
        setNetworksError(undefined);
      })
      .catch((error) => current && addError("serviceTokenLoadError", error));
    return () => {
      current = false;
    };
  }, [api, id, reloadKey, addError]);

  const [toggleRevokeDialog, RevokeConfirm] = useConfirmDialog({
    titleKey: t("serviceTokenRevokeTitle", { name: token?.name }),
    messageKey: t("serviceTokenRevokeMessage", { clientId: token?.clientId }),
    continueButtonLabel: "serviceTokenRevoke",
    continueButtonVariant: ButtonVariant.danger,
    onConfirm: () => void actions.confirmRevoke(),
  });

  const [toggleEndGraceDialog, EndGraceConfirm] = useConfirmDialog({
    titleKey: t("serviceTokenEndGraceTitle", { name: token?.name }),
    messageKey: token?.previousSecretUse
      ? t("serviceTokenEndGraceInUse", { use: describeUse(token.previousSecretUse, "serviceTokenPreviousNotUsed") })
      : t("serviceTokenEndGraceUnused"),
    continueButtonLabel: "serviceTokenEndGrace",
    continueButtonVariant: ButtonVariant.danger,
    onConfirm: () => void endGrace(),
  });

  if (!token || !draft) return <Spinner />;

  const save = async () => {
    setNetworksError(undefined);
    try {
      const lines = (text: string) =>
        text
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line !== "");
      const action = draft.inactivityAction as "realm" | "none" | "disable" | "delete";
      await api.update(token.id, {
        name: draft.name.trim(),
        description: draft.description ?? "",
        applications: draft.applications,
        networks: lines(draft.networks),
        owners: lines(draft.owners),
        inactivityAction: action,
        ...(action === "disable" || action === "delete" ? { inactivityDays: Number(draft.inactivityDays) } : {}),
      });
      addAlert(t("serviceTokenSaved"), AlertVariant.success);
      reload();
    } catch (error) {
      // The server parses the ranges strictly; its message names the entry and the rule, so it goes under the field.
      if (error instanceof ServiceTokenApiError && error.status === 400 && error.description?.startsWith("'networks")) {
        setNetworksError(error.description);
      } else {
        addError("serviceTokenSaveError", error);
      }
    }
  };

  const repair = async () => {
    try {
      await api.repair(token.id);
      addAlert(t("serviceTokenRepaired"), AlertVariant.success);
      reload();
    } catch (error) {
      addError("serviceTokenSaveError", error);
    }
  };

  async function endGrace() {
    if (!token) return;
    try {
      await api.endGracePeriod(token.id);
      addAlert(t("serviceTokenGraceEnded"), AlertVariant.success);
      reload();
    } catch (error) {
      addError("serviceTokenSaveError", error);
    }
  }

  const field = (termKey: string, value: React.ReactNode, testId?: string) => (
    <DescriptionListGroup>
      <DescriptionListTerm>{t(termKey)}</DescriptionListTerm>
      <DescriptionListDescription data-testid={testId}>{value}</DescriptionListDescription>
    </DescriptionListGroup>
  );

  return (
    <>
      <ViewHeader
        titleKey={token.name}
        noTranslate
        badges={[{ text: <StatusLabel status={token.status} /> }]}
        isReadOnly={!canManage}
        dropdownItems={
          canManage
            ? [
                ...(token.repairable
                  ? [
                      <DropdownItem key="repair" data-testid="token-repair" onClick={repair}>
                        {t("serviceTokenRepair")}
                      </DropdownItem>,
                    ]
                  : []),
                <DropdownItem key="rotate" onClick={() => actions.startRotate(token)}>
                  {t("serviceTokenRotate")}
                </DropdownItem>,
                <DropdownItem key="extend" onClick={() => actions.startExtend(token)}>
                  {t("serviceTokenExtend")}
                </DropdownItem>,
                <DropdownItem key="toggle" onClick={() => actions.toggleEnabled(token)}>
                  {t(token.enabled ? "disable" : "serviceTokenEnable")}
                </DropdownItem>,
                ...(token.previousSecretExpiresAt
                  ? [
                      <DropdownItem key="grace" data-testid="token-end-grace" onClick={toggleEndGraceDialog}>
                        {t("serviceTokenEndGrace")}
                      </DropdownItem>,
                    ]
                  : []),
                <DropdownItem
                  key="revoke"
                  onClick={() => {
                    actions.setRevokeTarget(token);
                    toggleRevokeDialog();
                  }}
                >
                  {t("serviceTokenRevoke")}
                </DropdownItem>,
              ]
            : undefined
        }
      />
      <PageSection variant="light">
        {token.problems?.length > 0 && (
          <Alert
            variant="danger"
            isInline
            className="pf-v5-u-mb-md"
            data-testid="token-problems"
            title={t("serviceTokenProblems")}
            actionLinks={
              canManage && token.repairable ? (
                <AlertActionLink data-testid="token-repair-button" onClick={repair}>
                  {t("serviceTokenRepair")}
                </AlertActionLink>
              ) : undefined
            }
          >
            <ul>
              {token.problems.map((problem) => (
                <li key={problem.reason}>
                  <code>{problem.reason}</code>: {problem.description}
                </li>
              ))}
            </ul>
            {canManage && <p>{t("serviceTokenRepairHint")}</p>}
          </Alert>
        )}
        <DescriptionList isHorizontal columnModifier={{ lg: "2Col" }} className="pf-v5-u-mb-lg">
          {field("clientId", <code>{token.clientId}</code>, "detail-client-id")}
          {field("status", <StatusLabel status={token.status} reason={token.problems?.[0]?.description} />)}
          {field("serviceTokenCreated", formatTime(token.createdAt, "serviceTokenUnknown"))}
          {field("serviceTokenCreatedBy", token.createdBy ?? t("serviceTokenUnknown"))}
          {field("serviceTokenExpires", formatTime(token.expiresAt, "serviceTokenNeverExpires"))}
          {field("serviceTokenLastUsed", formatTime(token.lastUsedAt, "serviceTokenNeverUsed"))}
          {field(
            "serviceTokenPreviousSecret",
            token.previousSecretExpiresAt
              ? t("serviceTokenPreviousValidUntil", {
                  time: formatTime(token.previousSecretExpiresAt, "serviceTokenUnknown"),
                })
              : t("serviceTokenNoPreviousSecret"),
            "detail-previous-secret",
          )}
          {field(
            "serviceTokenCurrentSecretUse",
            describeUse(token.secretUse, "serviceTokenSecretNotUsed"),
            "detail-current-use",
          )}
          {token.previousSecretExpiresAt &&
            field(
              "serviceTokenPreviousSecretUse",
              describeUse(token.previousSecretUse, "serviceTokenPreviousNotUsed"),
              "detail-previous-use",
            )}
          {field(
            "serviceTokenNetworks",
            token.networks?.length ? token.networks.join(", ") : t("serviceTokenNetworksAny"),
            "detail-networks",
          )}
        </DescriptionList>
        <Form
          className="keycloak__form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <FormGroup label={t("name")} fieldId="detail-name" isRequired>
            <TextInput
              id="detail-name"
              value={draft.name}
              readOnlyVariant={canManage ? undefined : "default"}
              onChange={(_event, name) => setDraft({ ...draft, name })}
            />
          </FormGroup>
          <FormGroup label={t("description")} fieldId="detail-description">
            <TextArea
              id="detail-description"
              value={draft.description ?? ""}
              readOnlyVariant={canManage ? undefined : "default"}
              onChange={(_event, description) => setDraft({ ...draft, description })}
            />
          </FormGroup>
          <FormGroup label={t("serviceTokenApplications")} fieldId="detail-applications">
            {canManage ? (
              <ApplicationsSelect
                id="detail-applications"
                value={draft.applications}
                onChange={(applications) => setDraft({ ...draft, applications })}
              />
            ) : (
              <span>{token.applications.join(", ") || t("serviceTokenNoApplications")}</span>
            )}
          </FormGroup>
          <FormGroup label={t("serviceTokenNetworks")} fieldId="detail-networks-input">
            <TextArea
              id="detail-networks-input"
              data-testid="detail-networks-input"
              value={draft.networks}
              readOnlyVariant={canManage ? undefined : "default"}
              validated={networksError ? "error" : "default"}
              placeholder="10.0.0.0/8"
              aria-describedby="detail-networks-helper"
              onChange={(_event, networks) => {
                setDraft({ ...draft, networks });
                setNetworksError(undefined);
              }}
            />
            <FieldHelp
              id="detail-networks-helper"
              isError={!!networksError}
              testId={networksError ? "networks-error" : undefined}
            >
              {networksError || t("serviceTokenNetworksHelp")}
            </FieldHelp>
          </FormGroup>
          <FormGroup label={t("serviceTokenOwners")} fieldId="detail-owners">
            <TextArea
              id="detail-owners"
              data-testid="detail-owners"
              value={draft.owners}
              placeholder="team@example.com"
              readOnlyVariant={canManage ? undefined : "default"}
              onChange={(_event, owners) => setDraft({ ...draft, owners })}
            />
            <FieldHelp>{t("serviceTokenOwnersHelp")}</FieldHelp>
          </FormGroup>
          <FormGroup label={t("serviceTokenInactivityRule")} fieldId="detail-inactivity-action">
            <FormSelect
              id="detail-inactivity-action"
              data-testid="detail-inactivity-action"
              value={draft.inactivityAction}
              isDisabled={!canManage}
              onChange={(_event, inactivityAction) => setDraft({ ...draft, inactivityAction })}
            >
              {["realm", "none", "disable", "delete"].map((action) => (
                <FormSelectOption key={action} value={action} label={t(`serviceTokenInactivity.${action}`)} />
              ))}
            </FormSelect>
            {(draft.inactivityAction === "disable" || draft.inactivityAction === "delete") && (
              <TextInput
                id="detail-inactivity-days"
                data-testid="detail-inactivity-days"
                type="number"
                min={1}
                max={3650}
                className="pf-v5-u-mt-sm"
                aria-label={t("serviceTokenInactivityDays")}
                placeholder={t("serviceTokenInactivityDays")}
                value={draft.inactivityDays}
                readOnlyVariant={canManage ? undefined : "default"}
                onChange={(_event, inactivityDays) => setDraft({ ...draft, inactivityDays })}
              />
            )}
          </FormGroup>
          {canManage && (
            <ActionGroup>
              <Button type="submit" data-testid="detail-save" isDisabled={!draft.name.trim()}>
                {t("save")}
              </Button>
              <Button variant="link" onClick={() => navigate(toServiceTokens(realm))}>
                {t("cancel")}
              </Button>
            </ActionGroup>
          )}
        </Form>
      </PageSection>
      <RevokeConfirm />
      <EndGraceConfirm />
      {actions.dialogs}
    </>
  );
}

import { type AdminEnvironment, useEnvironment, useRealm } from "@keycloak/keycloak-admin-ui";
import {
  Alert,
  Button,
  ClipboardCopy,
  ClipboardCopyVariant,
  Form,
  FormGroup,
  Modal,
  ModalVariant,
} from "@patternfly/react-core";
import { useTranslation } from "react-i18next";
import { useFormatTime } from "./format";

export type RevealedSecret = {
  kind: "created" | "rotated";
  clientId: string;
  secret: string;
  expiresAt?: string;
  previousSecretExpiresAt?: string;
};

// The sidecar's credential headers.
export const CLIENT_ID_HEADER = "KC-Access-Client-Id";
export const CLIENT_SECRET_HEADER = "KC-Access-Client-Secret";

/**
 * Shows a token's secret, the only time anyone sees it: copy buttons, the header names, ready curl commands,
 * and the warning. Closing unmounts it, and the parent drops the secret from its state.
 */
export const SecretDialog = ({ revealed, onClose }: { revealed: RevealedSecret; onClose: () => void }) => {
  const { t } = useTranslation();
  const { realm } = useRealm();
  const { environment } = useEnvironment<AdminEnvironment>();
  const formatTime = useFormatTime();
  const { clientId, secret } = revealed;
  const tokenEndpoint = `${environment.serverBaseUrl.replace(/\/$/, "")}/realms/${encodeURIComponent(realm)}/protocol/openid-connect/token`;
  const sidecarCurl = `curl -H '${CLIENT_ID_HEADER}: ${clientId}' \\\n     -H '${CLIENT_SECRET_HEADER}: ${secret}' \\\n     https://your-app.example.com/`;
  const tokenCurl = `curl -u '${clientId}:${secret}' -d grant_type=client_credentials \\\n     ${tokenEndpoint}`;

  return (
    <Modal
      variant={ModalVariant.medium}
      isOpen
      onClose={onClose}
      data-testid="service-token-secret-dialog"
      title={t(revealed.kind === "created" ? "serviceTokenCreatedTitle" : "serviceTokenRotatedTitle")}
      actions={[
        <Button key="done" data-testid="secret-dialog-close" onClick={onClose}>
          {t("serviceTokenSecretSaved")}
        </Button>,
      ]}
    >
      <Alert variant="warning" isInline title={t("serviceTokenSecretOnce")} data-testid="secret-once-warning">
        {revealed.kind === "rotated" &&
          (revealed.previousSecretExpiresAt
            ? t("serviceTokenPreviousValidUntil", {
                time: formatTime(revealed.previousSecretExpiresAt, "serviceTokenUnknown"),
              })
            : t("serviceTokenPreviousRevoked"))}
      </Alert>
      <Form className="pf-v5-u-mt-md" onSubmit={(event) => event.preventDefault()}>
        <FormGroup label={`${t("clientId")} (${CLIENT_ID_HEADER})`} fieldId="revealed-client-id">
          <div data-testid="revealed-client-id">
            <ClipboardCopy
              isReadOnly
              hoverTip={t("copy")}
              clickTip={t("serviceTokenCopied")}
              textAriaLabel={t("clientId")}
            >
              {clientId}
            </ClipboardCopy>
          </div>
        </FormGroup>
        <FormGroup label={`${t("clientSecret")} (${CLIENT_SECRET_HEADER})`} fieldId="revealed-secret">
          <div data-testid="revealed-secret">
            <ClipboardCopy
              isReadOnly
              hoverTip={t("copy")}
              clickTip={t("serviceTokenCopied")}
              textAriaLabel={t("clientSecret")}
              className="service-tokens__secret"
            >
              {secret}
            </ClipboardCopy>
          </div>
        </FormGroup>
        <FormGroup label={t("serviceTokenCurlSidecar")} fieldId="curl-sidecar">
          <ClipboardCopy
            isReadOnly
            isCode
            variant={ClipboardCopyVariant.expansion}
            isExpanded
            hoverTip={t("copy")}
            clickTip={t("serviceTokenCopied")}
          >
            {sidecarCurl}
          </ClipboardCopy>
        </FormGroup>
        <FormGroup label={t("serviceTokenCurlKeycloak")} fieldId="curl-keycloak">
          <ClipboardCopy
            isReadOnly
            isCode
            variant={ClipboardCopyVariant.expansion}
            hoverTip={t("copy")}
            clickTip={t("serviceTokenCopied")}
          >
            {tokenCurl}
          </ClipboardCopy>
        </FormGroup>
        {revealed.kind === "created" && (
          <p className="pf-v5-u-color-200">
            {t("serviceTokenExpiresOn", { time: formatTime(revealed.expiresAt, "serviceTokenNeverExpires") })}
          </p>
        )}
      </Form>
    </Modal>
  );
};

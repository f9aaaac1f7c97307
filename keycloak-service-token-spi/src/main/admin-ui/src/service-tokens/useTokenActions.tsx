import { AlertVariant } from "@patternfly/react-core";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { useAlerts } from "./alerts";
import { type ServiceToken, useServiceTokenApi } from "./api";
import { ExtendDialog } from "./ExtendDialog";
import { RotateDialog } from "./RotateDialog";
import { type RevealedSecret, SecretDialog } from "./SecretDialog";

/**
 * The row actions shared by the list and the detail page. The one-time secret lives only in `revealed`,
 * and is dropped from state the moment its dialog closes.
 */
export function useTokenActions(onChanged: () => void, onRevoked: () => void = onChanged) {
  const { t } = useTranslation();
  const api = useServiceTokenApi();
  const { addAlert, addError } = useAlerts();
  const [rotateTarget, setRotateTarget] = useState<ServiceToken>();
  const [extendTarget, setExtendTarget] = useState<ServiceToken>();
  const [revokeTarget, setRevokeTarget] = useState<ServiceToken>();
  const [revealed, setRevealed] = useState<RevealedSecret>();

  const toggleEnabled = useCallback(
    async (token: ServiceToken) => {
      try {
        await api.update(token.id, { enabled: !token.enabled });
        addAlert(
          t(token.enabled ? "serviceTokenDisabled" : "serviceTokenEnabled", { name: token.name }),
          AlertVariant.success,
        );
        onChanged();
      } catch (error) {
        addError("serviceTokenSaveError", error);
      }
    },
    [api, addAlert, addError, onChanged, t],
  );

  const confirmRevoke = useCallback(async () => {
    if (!revokeTarget) return;
    try {
      await api.revoke(revokeTarget.id);
      addAlert(t("serviceTokenRevoked", { name: revokeTarget.name }), AlertVariant.success);
      setRevokeTarget(undefined);
      onRevoked();
    } catch (error) {
      addError("serviceTokenRevokeError", error);
    }
  }, [api, addAlert, addError, onRevoked, revokeTarget, t]);

  const dialogs = (
    <>
      {rotateTarget && (
        <RotateDialog
          token={rotateTarget}
          onClose={() => setRotateTarget(undefined)}
          onRotated={(rotated) => {
            setRotateTarget(undefined);
            onChanged();
            setRevealed({
              kind: "rotated",
              clientId: rotated.clientId,
              secret: rotated.clientSecret,
              previousSecretExpiresAt: rotated.previousSecretExpiresAt,
            });
          }}
        />
      )}
      {extendTarget && (
        <ExtendDialog
          token={extendTarget}
          onClose={() => setExtendTarget(undefined)}
          onExtended={() => {
            setExtendTarget(undefined);
            onChanged();
          }}
        />
      )}
      {revealed && <SecretDialog revealed={revealed} onClose={() => setRevealed(undefined)} />}
    </>
  );

  return {
    startRotate: setRotateTarget,
    startExtend: setExtendTarget,
    toggleEnabled,
    revokeTarget,
    setRevokeTarget,
    confirmRevoke,
    showSecret: (created: { clientId: string; clientSecret: string; expiresAt?: string }) =>
      setRevealed({
        kind: "created",
        clientId: created.clientId,
        secret: created.clientSecret,
        expiresAt: created.expiresAt,
      }),
    dialogs,
  };
}

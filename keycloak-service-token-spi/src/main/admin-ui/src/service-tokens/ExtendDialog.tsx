import { Form, Modal, ModalVariant, Spinner } from "@patternfly/react-core";
import { AlertVariant } from "@patternfly/react-core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAlerts } from "./alerts";
import { type ServiceToken, useServiceTokenApi } from "./api";
import { DurationPicker } from "./DurationPicker";
import { useFormatTime } from "./format";
import { useTokenSettings } from "./useTokenSettings";
import { confirmActions } from "./dialogActions";

/** Sets the expiry to now + the chosen lifetime (within the realm maximum); the secret is unchanged. */
export const ExtendDialog = ({
  token,
  onClose,
  onExtended,
}: {
  token: ServiceToken;
  onClose: () => void;
  onExtended: () => void;
}) => {
  const { t } = useTranslation();
  const api = useServiceTokenApi();
  const { addAlert, addError } = useAlerts();
  const settings = useTokenSettings();
  const formatTime = useFormatTime();
  const [duration, setDuration] = useState<string>();
  const [saving, setSaving] = useState(false);

  const extend = async () => {
    if (!duration) return;
    setSaving(true);
    try {
      const extended = await api.extend(token.id, duration);
      addAlert(
        t("serviceTokenExtended", {
          name: token.name,
          time: formatTime(extended.expiresAt, "serviceTokenNeverExpires"),
        }),
        AlertVariant.success,
      );
      onExtended();
    } catch (error) {
      addError("serviceTokenExtendError", error);
      setSaving(false);
    }
  };

  return (
    <Modal
      variant={ModalVariant.small}
      isOpen
      onClose={onClose}
      data-testid="extend-service-token-dialog"
      title={t("serviceTokenExtendTitle", { name: token.name })}
      description={t("serviceTokenExpiresOn", { time: formatTime(token.expiresAt, "serviceTokenNeverExpires") })}
      actions={confirmActions({
        t,
        testId: "extend-confirm",
        label: t("serviceTokenExtend"),
        saving,
        ready: !!duration,
        onConfirm: extend,
        onCancel: onClose,
      })}
    >
      {!settings ? (
        <Spinner size="lg" />
      ) : (
        <Form onSubmit={(event) => event.preventDefault()}>
          <DurationPicker
            fieldId="extend-duration"
            label={t("serviceTokenExtendBy")}
            defaultDuration={settings.defaultDuration}
            maxDuration={settings.maxDuration}
            onChange={setDuration}
          />
        </Form>
      )}
    </Modal>
  );
};

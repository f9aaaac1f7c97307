import { Button, Form, Modal, ModalVariant, Spinner } from "@patternfly/react-core";
import { AlertVariant } from "@patternfly/react-core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAlerts } from "./alerts";
import { type ServiceToken, useServiceTokenApi } from "./api";
import { DurationPicker } from "./DurationPicker";
import { useFormatTime } from "./format";
import { useTokenSettings } from "./useTokenSettings";

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
      actions={[
        <Button
          key="extend"
          data-testid="extend-confirm"
          isLoading={saving}
          isDisabled={saving || !duration}
          onClick={extend}
        >
          {t("serviceTokenExtend")}
        </Button>,
        <Button key="cancel" variant="link" onClick={onClose}>
          {t("cancel")}
        </Button>,
      ]}
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

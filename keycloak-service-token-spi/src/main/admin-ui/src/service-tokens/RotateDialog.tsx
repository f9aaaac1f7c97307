import { Alert, Form, FormGroup, Modal, ModalVariant, Radio } from "@patternfly/react-core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAlerts } from "./alerts";
import { type RotatedSecret, type ServiceToken, useServiceTokenApi } from "./api";
import { GRACE_PERIODS } from "./durations";
import { useDescribeUse } from "./format";
import { confirmActions } from "./dialogActions";

/** New secret now; the old one keeps working for the chosen grace period so bots can be redeployed. */
export const RotateDialog = ({
  token,
  onClose,
  onRotated,
}: {
  token: ServiceToken;
  onClose: () => void;
  onRotated: (rotated: RotatedSecret) => void;
}) => {
  const { t } = useTranslation();
  const api = useServiceTokenApi();
  const { addError } = useAlerts();
  const [grace, setGrace] = useState<string>("PT24H");
  const [saving, setSaving] = useState(false);
  const describeUse = useDescribeUse();

  const rotate = async () => {
    setSaving(true);
    try {
      onRotated(await api.rotate(token.id, grace));
    } catch (error) {
      addError("serviceTokenRotateError", error);
      setSaving(false);
    }
  };

  return (
    <Modal
      variant={ModalVariant.small}
      isOpen
      onClose={onClose}
      data-testid="rotate-service-token-dialog"
      title={t("serviceTokenRotateTitle", { name: token.name })}
      description={t("serviceTokenRotateExplain")}
      actions={confirmActions({
        t,
        testId: "rotate-confirm",
        label: t("serviceTokenRotate"),
        saving,
        onConfirm: rotate,
        onCancel: onClose,
      })}
    >
      <p className="pf-v5-u-mb-sm" data-testid="rotate-current-use">
        {t("serviceTokenCurrentSecretUse")}: {describeUse(token.secretUse, "serviceTokenSecretNotUsed")}
      </p>
      {token.previousSecretExpiresAt && (
        // Rotating again replaces a previous secret still in its grace: show whether anything still uses it first.
        <Alert
          variant={token.previousSecretUse ? "warning" : "info"}
          isInline
          isPlain
          className="pf-v5-u-mb-md"
          data-testid="rotate-previous-use"
          title={
            t("serviceTokenPreviousSecretUse") +
            ": " +
            describeUse(token.previousSecretUse, "serviceTokenPreviousNotUsed")
          }
        >
          {t("serviceTokenRotateReplacesPrevious")}
        </Alert>
      )}
      <Form onSubmit={(event) => event.preventDefault()}>
        <FormGroup role="radiogroup" isStack fieldId="rotate-grace" label={t("serviceTokenGracePeriod")}>
          {GRACE_PERIODS.map((period) => (
            <Radio
              key={period.value}
              id={`grace-${period.value}`}
              name="grace"
              data-testid={`grace-${period.value}`}
              label={t(period.labelKey)}
              isChecked={grace === period.value}
              onChange={() => setGrace(period.value)}
            />
          ))}
        </FormGroup>
      </Form>
    </Modal>
  );
};

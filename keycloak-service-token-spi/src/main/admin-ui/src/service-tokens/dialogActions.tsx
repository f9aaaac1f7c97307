import { Button } from "@patternfly/react-core";
import type { TFunction } from "i18next";

/**
 * A form dialog's two buttons: the action (busy and disabled while `saving`, disabled too until the input is
 * `ready`) and Cancel.
 */
export const confirmActions = ({
  t,
  testId,
  label,
  saving,
  ready = true,
  onConfirm,
  onCancel,
}: {
  t: TFunction;
  testId: string;
  label: string;
  saving: boolean;
  ready?: boolean;
  onConfirm: () => void | Promise<void>;
  onCancel: () => void;
}) => [
  <Button key="confirm" data-testid={testId} isLoading={saving} isDisabled={saving || !ready} onClick={onConfirm}>
    {label}
  </Button>,
  <Button key="cancel" variant="link" onClick={onCancel}>
    {t("cancel")}
  </Button>,
];

import { useAccess, ViewHeader } from "@keycloak/keycloak-admin-ui";
import {
  ActionGroup,
  AlertVariant,
  Button,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  PageSection,
  Spinner,
  TextInput,
} from "@patternfly/react-core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAlerts } from "./alerts";
import { ServiceTokensTabs } from "./ServiceTokensTabs";
import { type TokenSettings, useServiceTokenApi } from "./api";
import { useTokenSettings } from "./useTokenSettings";
import { FieldHelp } from "./FieldHelp";

const INACTIVITY_ACTIONS = ["none", "disable", "delete"];
const list = (text: string) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);

/** The settings as the form edits them: lists and numbers as text. */
type SettingsForm = Omit<TokenSettings, "expiryWarningDays" | "notifyEmails" | "inactivityDays"> & {
  expiryWarningDays: string;
  notifyEmails: string;
  inactivityDays: string;
};

const toForm = (settings: TokenSettings): SettingsForm => ({
  ...settings,
  expiryWarningDays: settings.expiryWarningDays.join(", "),
  notifyEmails: settings.notifyEmails.join(", "),
  inactivityDays: String(settings.inactivityDays),
});

/** The realm's service-token policy. Everyone with view-clients reads; manage-realm saves. */
export default function SettingsPage() {
  const { t } = useTranslation();
  const { hasAccess } = useAccess();
  const canSave = hasAccess("manage-realm");
  const api = useServiceTokenApi();
  const { addAlert, addError } = useAlerts();
  const loaded = useTokenSettings();
  const [form, setForm] = useState<SettingsForm>();
  // The form starts from the settings once they load: state adjusted while rendering, not in an effect
  // (https://react.dev/learn/you-might-not-need-an-effect#adjusting-some-state-when-a-prop-changes).
  const [formSource, setFormSource] = useState<TokenSettings>();
  if (loaded && loaded !== formSource) {
    setFormSource(loaded);
    setForm(toForm(loaded));
  }

  const save = async () => {
    if (!form) return;
    try {
      const saved = await api.saveSettings({
        ...form,
        expiryWarningDays: list(form.expiryWarningDays).map(Number),
        notifyEmails: list(form.notifyEmails),
        inactivityDays: Number(form.inactivityDays),
      });
      setForm(toForm(saved));
      addAlert(t("serviceTokenSettingsSaved"), AlertVariant.success);
    } catch (error) {
      addError("serviceTokenSettingsSaveError", error);
    }
  };

  const text = (key: keyof NonNullable<typeof form>, labelKey: string, helpKey: string) => (
    <FormGroup label={t(labelKey)} fieldId={`settings-${key}`}>
      <TextInput
        id={`settings-${key}`}
        data-testid={`settings-${key}`}
        value={String(form?.[key] ?? "")}
        readOnlyVariant={canSave ? undefined : "default"}
        onChange={(_event, value) => setForm({ ...form!, [key]: value })}
      />
      <FieldHelp>{t(helpKey)}</FieldHelp>
    </FormGroup>
  );

  return (
    <>
      <ViewHeader titleKey="serviceTokens" subKey="serviceTokensExplain" divider={false} />
      <PageSection variant="light" className="pf-v5-u-p-0">
        <ServiceTokensTabs active="settings" />
      </PageSection>
      <PageSection variant="light">
        {!form ? (
          <Spinner />
        ) : (
          <Form
            isHorizontal
            className="keycloak__form"
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            {text("defaultDuration", "serviceTokenDefaultDuration", "serviceTokenDurationHelp")}
            {text("maxDuration", "serviceTokenMaxDuration", "serviceTokenDurationHelp")}
            {text("expiryWarningDays", "serviceTokenExpiryWarningDays", "serviceTokenExpiryWarningDaysHelp")}
            {text("notifyEmails", "serviceTokenNotifyEmails", "serviceTokenNotifyEmailsHelp")}
            {text("inactivityDays", "serviceTokenInactivityDays", "serviceTokenInactivityDaysHelp")}
            <FormGroup label={t("serviceTokenInactivityAction")} fieldId="settings-inactivityAction">
              <FormSelect
                id="settings-inactivityAction"
                value={form.inactivityAction}
                isDisabled={!canSave}
                onChange={(_event, value) => setForm({ ...form, inactivityAction: value })}
              >
                {INACTIVITY_ACTIONS.map((action) => (
                  <FormSelectOption key={action} value={action} label={t(`serviceTokenInactivityAction.${action}`)} />
                ))}
              </FormSelect>
            </FormGroup>
            {canSave && (
              <ActionGroup>
                <Button type="submit" data-testid="settings-save">
                  {t("save")}
                </Button>
              </ActionGroup>
            )}
          </Form>
        )}
      </PageSection>
    </>
  );
}

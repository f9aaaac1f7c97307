import { Form, FormGroup, Modal, ModalVariant, Spinner, TextArea, TextInput } from "@patternfly/react-core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAlerts } from "./alerts";
import { type CreatedToken, useServiceTokenApi } from "./api";
import { ApplicationsSelect } from "./ApplicationsSelect";
import { DurationPicker } from "./DurationPicker";
import { useTokenSettings } from "./useTokenSettings";
import { confirmActions } from "./dialogActions";

const NAME_MAX = 100;
const DESCRIPTION_MAX = 255;

/** Name, description, lifetime and applications; on success hands the one-time answer to the secret dialog. */
export const CreateTokenDialog = ({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: CreatedToken) => void;
}) => {
  const { t } = useTranslation();
  const api = useServiceTokenApi();
  const { addError } = useAlerts();
  const settings = useTokenSettings();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [duration, setDuration] = useState<string>();
  const [applications, setApplications] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);

  const valid =
    name.trim().length > 0 && name.length <= NAME_MAX && description.length <= DESCRIPTION_MAX && !!duration;

  const create = async () => {
    if (!valid || saving) return;
    setSaving(true);
    try {
      onCreated(
        await api.create({ name: name.trim(), description: description.trim() || undefined, duration, applications }),
      );
    } catch (error) {
      addError("serviceTokenCreateError", error);
      setSaving(false);
    }
  };

  return (
    <Modal
      variant={ModalVariant.medium}
      isOpen
      onClose={onClose}
      title={t("serviceTokenCreate")}
      data-testid="create-service-token-dialog"
      actions={confirmActions({
        t,
        testId: "create-service-token-confirm",
        label: t("create"),
        saving,
        ready: valid,
        onConfirm: create,
        onCancel: onClose,
      })}
    >
      {!settings ? (
        <Spinner size="lg" />
      ) : (
        <Form
          id="create-service-token-form"
          onSubmit={(event) => {
            event.preventDefault();
            void create();
          }}
        >
          <FormGroup label={t("name")} fieldId="service-token-name" isRequired>
            <TextInput
              id="service-token-name"
              data-testid="service-token-name"
              value={name}
              maxLength={NAME_MAX}
              autoFocus
              onChange={(_event, value) => setName(value)}
            />
          </FormGroup>
          <FormGroup label={t("description")} fieldId="service-token-description">
            <TextArea
              id="service-token-description"
              data-testid="service-token-description"
              value={description}
              maxLength={DESCRIPTION_MAX}
              resizeOrientation="vertical"
              onChange={(_event, value) => setDescription(value)}
            />
          </FormGroup>
          <DurationPicker
            fieldId="service-token-duration"
            label={t("serviceTokenLifetime")}
            defaultDuration={settings.defaultDuration}
            maxDuration={settings.maxDuration}
            onChange={setDuration}
          />
          <FormGroup label={t("serviceTokenApplications")} fieldId="service-token-applications">
            <ApplicationsSelect id="service-token-applications" value={applications} onChange={setApplications} />
          </FormGroup>
        </Form>
      )}
    </Modal>
  );
};

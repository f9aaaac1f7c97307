import { FormGroup, FormSelect, FormSelectOption, NumberInput } from "@patternfly/react-core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { describeDuration, LIFETIME_PRESETS, withinMaximum } from "./durations";
import { FieldHelp } from "./FieldHelp";

const CUSTOM = "custom";

/**
 * Lifetime presets (30 d / 90 d / 1 y / 2 y / never) and a custom number of days, limited to the realm maximum:
 * presets beyond it are not offered, and a custom value beyond it is reported before the API would refuse it.
 * Reports the ISO duration to send, or undefined while the input is invalid.
 */
export const DurationPicker = ({
  fieldId,
  label,
  defaultDuration,
  maxDuration,
  onChange,
}: {
  fieldId: string;
  label: string;
  defaultDuration: string;
  maxDuration: string;
  onChange: (duration: string | undefined) => void;
}) => {
  const { t } = useTranslation();
  const presets = LIFETIME_PRESETS.filter((preset) => withinMaximum(preset.value, maxDuration));
  const initial =
    presets.find((preset) => preset.value.toLowerCase() === defaultDuration.toLowerCase())?.value ??
    presets.find((preset) => preset.value === "P365D")?.value ??
    CUSTOM;
  const [choice, setChoice] = useState<string>(initial);
  const [customDays, setCustomDays] = useState<number | "">(7);

  const customDuration = customDays === "" ? undefined : `P${customDays}D`;
  const customValid =
    customDuration !== undefined && Number(customDays) >= 1 && withinMaximum(customDuration, maxDuration);
  const duration = choice === CUSTOM ? (customValid ? customDuration : undefined) : choice;
  useEffect(() => onChange(duration), [duration, onChange]);

  return (
    <FormGroup label={label} fieldId={fieldId} isRequired>
      <FormSelect id={fieldId} data-testid={fieldId} value={choice} onChange={(_event, value) => setChoice(value)}>
        {presets.map((preset) => (
          <FormSelectOption key={preset.value} value={preset.value} label={t(preset.labelKey)} />
        ))}
        <FormSelectOption value={CUSTOM} label={t("serviceTokenDurationCustom")} />
      </FormSelect>
      {choice === CUSTOM && (
        <NumberInput
          className="pf-v5-u-mt-sm"
          value={customDays}
          min={1}
          unit={t("serviceTokenDaysUnit")}
          inputName={`${fieldId}-days`}
          inputAriaLabel={t("serviceTokenDaysUnit")}
          data-testid={`${fieldId}-days`}
          onMinus={() => setCustomDays((days) => Math.max(1, Number(days || 1) - 1))}
          onPlus={() => setCustomDays((days) => Number(days || 0) + 1)}
          onChange={(event) => {
            const value = (event.target as HTMLInputElement).value;
            setCustomDays(value === "" ? "" : Math.max(0, Math.floor(Number(value)) || 0));
          }}
        />
      )}
      <FieldHelp isError={choice === CUSTOM && !customValid}>
        {maxDuration.toLowerCase() === "never"
          ? t("serviceTokenNoMaximum")
          : t("serviceTokenMaximum", {
              max: describeDuration(maxDuration, (key, options) => t(key, options ?? {})),
            })}
      </FieldHelp>
    </FormGroup>
  );
};

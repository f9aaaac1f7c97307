import { Label } from "@patternfly/react-core";
import { useTranslation } from "react-i18next";
import type { TokenStatus } from "./api";

/** A time from the API (ISO-8601 UTC) in the admin's locale; `fallbackKey` when absent. */
export const useFormatTime = () => {
  const { t, i18n } = useTranslation();
  return (iso: string | undefined, fallbackKey: string) =>
    iso
      ? new Intl.DateTimeFormat(i18n.language || undefined, { dateStyle: "medium", timeStyle: "short" }).format(
          new Date(iso),
        )
      : t(fallbackKey);
};

const STATUS_COLORS: Record<TokenStatus, "green" | "orange" | "grey" | "red"> = {
  active: "green",
  expired: "orange",
  disabled: "grey",
  broken: "red",
};

/** The status; a broken token's label carries its first problem as a tooltip-like title. */
export const StatusLabel = ({ status, reason }: { status: TokenStatus; reason?: string }) => {
  const { t } = useTranslation();
  return (
    <Label color={STATUS_COLORS[status] ?? "grey"} data-testid="token-status" title={reason}>
      {t(`serviceTokenStatus.${status}`)}
    </Label>
  );
};

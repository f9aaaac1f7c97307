import { Label } from "@patternfly/react-core";
import { useTranslation } from "react-i18next";
import type { SecretUse, TokenStatus } from "./api";

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

/** "3 minutes ago" (in the admin's language) for a time from the API. */
export const useRelativeTime = () => {
  const { i18n } = useTranslation();
  return (iso: string) => {
    const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    const format = new Intl.RelativeTimeFormat(i18n.language || undefined, { numeric: "auto" });
    const units: [Intl.RelativeTimeFormatUnit, number][] = [
      ["day", 86400],
      ["hour", 3600],
      ["minute", 60],
    ];
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
    }
    return format.format(seconds, "second");
  };
};

/**
 * One secret's use as a sentence: "last used 3 minutes ago from 10.1.2.3 (deploy-bot/2.1), about 42 requests",
 * or `neverKey` when it has not been used.
 */
export const useDescribeUse = () => {
  const { t } = useTranslation();
  const relative = useRelativeTime();
  return (use: SecretUse | null | undefined, neverKey: string) =>
    use
      ? t("serviceTokenUseSentence", {
          when: relative(use.lastUsedAt),
          address: use.address ?? t("serviceTokenUnknownAddress"),
          agent: use.userAgent ?? t("serviceTokenNoUserAgent"),
          count: use.count,
        })
      : t(neverKey);
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

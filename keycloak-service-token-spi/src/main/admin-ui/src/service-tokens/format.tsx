import { Label } from "@patternfly/react-core";
import { useTranslation } from "react-i18next";
import type { TokenStatus } from "./api";

/** A time from the API (ISO-8601 UTC) in the admin's locale; `fallbackKey` when absent. */
export const useFormatTime = () => {
  const { t, i18n } = useTranslation();
  return (iso: string | undefined, fallbackKey: string) =>
    iso ? new Intl.DateTimeFormat(i18n.language || undefined, { dateStyle: "medium", timeStyle: "short" })
      .format(new Date(iso)) : t(fallbackKey);
};

const STATUS_COLORS: Record<TokenStatus, "green" | "orange" | "grey"> = { active: "green", expired: "orange", disabled: "grey" };

export const StatusLabel = ({ status }: { status: TokenStatus }) => {
  const { t } = useTranslation();
  return <Label color={STATUS_COLORS[status] ?? "grey"} data-testid="token-status">{t(`serviceTokenStatus.${status}`)}</Label>;
};

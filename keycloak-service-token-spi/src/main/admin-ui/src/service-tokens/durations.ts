/** Durations as the API speaks them: ISO-8601 (P30D, PT1H, P1Y) or "never". */
export const NEVER = "never";

export const LIFETIME_PRESETS = [
  { value: "P30D", labelKey: "serviceTokenDuration30d" },
  { value: "P90D", labelKey: "serviceTokenDuration90d" },
  { value: "P365D", labelKey: "serviceTokenDuration1y" },
  { value: "P730D", labelKey: "serviceTokenDuration2y" },
  { value: NEVER, labelKey: "serviceTokenDurationNever" },
] as const;

export const GRACE_PERIODS = [
  { value: "PT0S", labelKey: "serviceTokenGraceNone" },
  { value: "PT1H", labelKey: "serviceTokenGrace1h" },
  { value: "PT24H", labelKey: "serviceTokenGrace24h" },
  { value: "P7D", labelKey: "serviceTokenGrace7d" },
  { value: "P30D", labelKey: "serviceTokenGrace30d" },
] as const;

const ISO = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

/** Approximate length in days (a year as 365, a month as 30), enough to compare against the realm maximum. */
export function durationDays(duration: string): number {
  if (duration.toLowerCase() === NEVER) return Infinity;
  const match = ISO.exec(duration.trim());
  if (!match) return NaN;
  const [y, mo, w, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0));
  return y * 365 + mo * 30 + w * 7 + d + h / 24 + mi / 1440 + s / 86400;
}

/** True if the duration is allowed under the realm's maximum ("never" allows everything). */
export function withinMaximum(duration: string, maxDuration: string): boolean {
  return durationDays(duration) <= durationDays(maxDuration);
}

/** "P90D" → "90 days", "P1Y" → "1 year", for the few shapes the settings use; anything else as written. */
export function describeDuration(
  duration: string,
  t: (key: string, options?: Record<string, unknown>) => string,
): string {
  if (duration.toLowerCase() === NEVER) return t("serviceTokenDurationNever");
  const days = durationDays(duration);
  if (Number.isInteger(days)) return t("serviceTokenDays", { count: days });
  return duration;
}

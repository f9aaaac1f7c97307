package org.servicetokens.keycloak.model;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ISO-8601 duration or {@code never}. Accepted forms: {@code PnYnMnWnD} followed by {@code TnHnMnS}, each part
 * optional but at least one present, whole non-negative numbers only ({@code P365D}, {@code P12W}, {@code P1Y6M},
 * {@code PT12H}, {@code P1DT12H}). Calendar parts (years, months, days, weeks) are applied in UTC first, then the
 * time part, so "P1Y" from 29 February is well defined.
 *
 * <p>Every duration is range-checked before any arithmetic: at most {@value #MAX_TEXT} (100 years, 36 525 days;
 * "never" is how to say "no end"), so no input can overflow {@link Instant}. Parsing failures are
 * {@link IllegalArgumentException}s whose message names the rule and the limit, fit for an API client.
 */
public final class TokenDuration {

    public static final String NEVER = "never";
    /** The longest duration accepted anywhere (100 years). */
    public static final String MAX_TEXT = "P100Y";

    private static final int MAX_CHARS = 40;
    private static final Instant REFERENCE = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant REFERENCE_LIMIT = Instant.parse("2100-01-01T00:00:00Z");
    // Bounds per part, so the arithmetic below stays far from overflow whatever the digits say.
    private static final long[] PART_LIMITS = {100, 1_200, 5_218, 36_525, 876_600, 52_596_000, 3_155_760_000L};
    private static final Pattern ISO =
            Pattern.compile("P(?:(\\d{1,15})Y)?(?:(\\d{1,15})M)?(?:(\\d{1,15})W)?(?:(\\d{1,15})D)?"
                    + "(?:T(?=\\d)(?:(\\d{1,15})H)?(?:(\\d{1,15})M)?(?:(\\d{1,15})S)?)?");

    private final String text;
    private final Period period;
    private final Duration time;

    private TokenDuration(String text, Period period, Duration time) {
        this.text = text;
        this.period = period;
        this.time = time;
    }

    /** No expiry (written {@code never}). */
    public static TokenDuration never() {
        return new TokenDuration(NEVER, null, null);
    }

    /** A positive duration or {@code never}. @throws IllegalArgumentException with a message fit for an API client */
    public static TokenDuration parse(String text) {
        return parse(text, false);
    }

    /**
     * @param allowZero whether {@code PT0S} (and {@code P0D}) is accepted, e.g. for "no grace period"
     * @throws IllegalArgumentException with a message naming the rule and the limit
     */
    public static TokenDuration parse(String text, boolean allowZero) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration must not be empty");
        }
        String trimmed = text.strip();
        if (trimmed.length() > MAX_CHARS) {
            throw new IllegalArgumentException("a duration is at most " + MAX_CHARS + " characters");
        }
        if (NEVER.equalsIgnoreCase(trimmed)) {
            return never();
        }
        String upper = trimmed.toUpperCase(Locale.ROOT);
        if (upper.indexOf('-') >= 0) {
            throw new IllegalArgumentException("a duration must not be negative");
        }
        if (upper.indexOf('.') >= 0 || upper.indexOf(',') >= 0) {
            throw new IllegalArgumentException(
                    "a duration is made of whole numbers (no fractions, e.g. PT90S, not PT1.5M)");
        }
        Matcher m = ISO.matcher(upper);
        if (!m.matches() || upper.equals("P")) {
            throw new IllegalArgumentException("'" + printable(trimmed)
                    + "' is not an ISO-8601 duration such as P365D, P12W, P1Y or PT12H, nor 'never'");
        }
        long[] parts = new long[7];
        for (int i = 0; i < parts.length; i++) {
            String digits = m.group(i + 1);
            parts[i] = digits == null ? 0 : Long.parseLong(digits);
            if (parts[i] > PART_LIMITS[i]) {
                throw tooLong();
            }
        }
        Period period = Period.of((int) parts[0], (int) parts[1], (int) (parts[2] * 7 + parts[3]));
        Duration time = Duration.ofHours(parts[4]).plusMinutes(parts[5]).plusSeconds(parts[6]);
        TokenDuration parsed = new TokenDuration(upper, period, time);
        Instant end = parsed.from(REFERENCE).orElseThrow();
        if (end.isAfter(REFERENCE_LIMIT)) {
            throw tooLong();
        }
        if (!allowZero && !end.isAfter(REFERENCE)) {
            throw new IllegalArgumentException("a duration must be longer than zero");
        }
        return parsed;
    }

    /** True for {@link #never()}. */
    public boolean isNever() {
        return period == null;
    }

    /** The end of this duration from {@code start}; empty for {@code never}. */
    public Optional<Instant> from(Instant start) {
        if (isNever()) {
            return Optional.empty();
        }
        return Optional.of(
                start.atOffset(ZoneOffset.UTC).plus(period).toInstant().plus(time));
    }

    /** The length as a fixed {@link Duration}; empty for {@code never} and for calendar lengths (years, months). */
    public Optional<Duration> fixedLength() {
        if (isNever() || period.getYears() != 0 || period.getMonths() != 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofDays(period.getDays()).plus(time));
    }

    /** True if this duration reaches past {@code limit} when both start at {@code start}. */
    public boolean exceeds(TokenDuration limit, Instant start) {
        if (limit.isNever()) {
            return false;
        }
        if (isNever()) {
            return true;
        }
        return from(start).orElseThrow().isAfter(limit.from(start).orElseThrow());
    }

    private static IllegalArgumentException tooLong() {
        return new IllegalArgumentException(
                "a duration is at most 100 years (" + MAX_TEXT + " or P36525D); use 'never' for no end");
    }

    private static String printable(String value) {
        String cleaned = value.replaceAll("[^\\x20-\\x7e]", "?");
        return cleaned.length() > 40 ? cleaned.substring(0, 40) + "…" : cleaned;
    }

    @Override
    public String toString() {
        return text;
    }
}

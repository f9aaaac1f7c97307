package org.servicetokens.keycloak.model;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * An ISO-8601 duration ({@code P365D}, {@code PT12H}, {@code P1Y}) or {@code never}. Calendar periods are
 * applied in UTC so "P1Y" from 29 February is well defined.
 */
public final class TokenDuration {

    public static final String NEVER = "never";
    private static final int MAX_TEXT = 40;

    private final String text;
    private final Duration duration;
    private final Period period;

    private TokenDuration(String text, Duration duration, Period period) {
        this.text = text;
        this.duration = duration;
        this.period = period;
    }

    public static TokenDuration never() {
        return new TokenDuration(NEVER, null, null);
    }

    public static TokenDuration of(Duration duration) {
        return new TokenDuration(duration.toString(), duration, null);
    }

    /** @throws IllegalArgumentException with a message fit for an API client */
    public static TokenDuration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration must not be empty");
        }
        String trimmed = text.trim();
        if (trimmed.length() > MAX_TEXT) {
            throw new IllegalArgumentException("a duration is at most " + MAX_TEXT + " characters");
        }
        if (NEVER.equalsIgnoreCase(trimmed)) {
            return never();
        }
        String upper = trimmed.toUpperCase(Locale.ROOT);
        TokenDuration parsed;
        try {
            parsed = new TokenDuration(upper, Duration.parse(upper), null);
        } catch (DateTimeParseException notADuration) {
            try {
                parsed = new TokenDuration(upper, null, Period.parse(upper));
            } catch (DateTimeParseException notAPeriod) {
                throw new IllegalArgumentException("'" + trimmed + "' is not an ISO-8601 duration such as P365D or PT12H, nor 'never'");
            }
        }
        if (!parsed.isPositive()) {
            throw new IllegalArgumentException("a duration must be positive");
        }
        return parsed;
    }

    public boolean isNever() {
        return duration == null && period == null;
    }

    /** The end of this duration from {@code start}; empty for {@code never}. */
    public Optional<Instant> from(Instant start) {
        if (duration != null) {
            return Optional.of(start.plus(duration));
        }
        if (period != null) {
            return Optional.of(start.atOffset(ZoneOffset.UTC).plus(period).toInstant());
        }
        return Optional.empty();
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

    private boolean isPositive() {
        Instant epoch = Instant.EPOCH.plusSeconds(1_000_000_000L);
        return from(epoch).map(end -> end.isAfter(epoch)).orElse(true);
    }

    @Override
    public String toString() {
        return text;
    }
}

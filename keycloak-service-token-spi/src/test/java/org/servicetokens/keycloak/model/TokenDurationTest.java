package org.servicetokens.keycloak.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenDurationTest {

    static final Instant START = Instant.parse("2028-02-29T12:00:00Z");

    @Test
    void parsesDurationsPeriodsAndNever() {
        assertEquals(
                Instant.parse("2029-02-28T12:00:00Z"),
                TokenDuration.parse("P365D").from(START).orElseThrow());
        assertEquals(
                Instant.parse("2028-02-29T00:00:00Z").plusSeconds(24 * 3600),
                TokenDuration.parse("pt12h").from(START).orElseThrow());
        assertEquals(
                Instant.parse("2029-02-28T12:00:00Z"),
                TokenDuration.parse("P1Y").from(START).orElseThrow(),
                "calendar year in UTC");
        assertEquals(
                Instant.parse("2028-03-14T12:00:00Z"),
                TokenDuration.parse("P2W").from(START).orElseThrow(),
                "weeks");
        assertEquals(
                Instant.parse("2028-04-30T00:00:00Z"),
                TokenDuration.parse("P2MT12H").from(START).orElseThrow(),
                "months then time");
        assertTrue(TokenDuration.parse("never").isNever());
        assertTrue(TokenDuration.parse(" NEVER ").from(START).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "", " ", "forever", "P", "PT", "PT0S", "P0D", "-P1D", "P-1D", "365", "P1Y2X", "PT-5M", "PT-1S",
                "PT0.5S", "PT1,5S", "P1DT", "1D", "P1D1Y", "PT1H1D", "P1.5W"
            })
    void refusesWhatIsNotAPositiveWholeDuration(String text) {
        assertThrows(IllegalArgumentException.class, () -> TokenDuration.parse(text));
    }

    /** Each of these used to reach Instant arithmetic and end as a 500. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "P999999999999D",
                "P999999999Y",
                "P99999999999W",
                "P9999999999999M",
                "PT999999999999999S",
                "PT99999999999H",
                "P101Y",
                "P36526D",
                "P1201M",
                "P5219W",
                "P100YT1S",
                "P36525DT1S",
                "P99Y12M1D"
            })
    void refusesWhatIsLongerThanAHundredYearsWithTheLimitInTheMessage(String text) {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> TokenDuration.parse(text));
        assertTrue(refused.getMessage().contains("100 years"), refused.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"P100Y", "P36525D", "P1200M", "P5217W", "PT876600H"})
    void acceptsUpToAHundredYears(String text) {
        Instant end = TokenDuration.parse(text).from(START).orElseThrow();
        assertTrue(end.isBefore(START.plus(Duration.ofDays(36_600))));
    }

    @Test
    void zeroOnlyWhenAskedFor() {
        assertEquals(
                Duration.ZERO, TokenDuration.parse("PT0S", true).fixedLength().orElseThrow());
        assertEquals(
                Duration.ofDays(14),
                TokenDuration.parse("P2W", true).fixedLength().orElseThrow());
        assertTrue(TokenDuration.parse("P1M", true).fixedLength().isEmpty(), "a month has no fixed length");
    }

    @Test
    void refusesOversizedInput() {
        assertThrows(IllegalArgumentException.class, () -> TokenDuration.parse("P" + "9".repeat(100) + "D"));
        assertThrows(IllegalArgumentException.class, () -> TokenDuration.parse(null));
    }

    @Test
    void comparesAgainstARealmMaximum() {
        TokenDuration max = TokenDuration.parse("P90D");
        assertFalse(TokenDuration.parse("P90D").exceeds(max, START));
        assertTrue(TokenDuration.parse("P91D").exceeds(max, START));
        assertTrue(TokenDuration.never().exceeds(max, START));
        assertFalse(TokenDuration.never().exceeds(TokenDuration.never(), START));
        assertFalse(TokenDuration.parse("P10Y").exceeds(TokenDuration.never(), START));
    }
}

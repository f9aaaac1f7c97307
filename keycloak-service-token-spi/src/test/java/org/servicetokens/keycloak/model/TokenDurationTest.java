package org.servicetokens.keycloak.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TokenDurationTest {

    static final Instant START = Instant.parse("2028-02-29T12:00:00Z");

    @Test
    void parsesDurationsPeriodsAndNever() {
        assertEquals(Instant.parse("2029-02-28T12:00:00Z"), TokenDuration.parse("P365D").from(START).orElseThrow());
        assertEquals(Instant.parse("2028-02-29T00:00:00Z").plusSeconds(24 * 3600), TokenDuration.parse("pt12h").from(START).orElseThrow());
        assertEquals(Instant.parse("2029-02-28T12:00:00Z"), TokenDuration.parse("P1Y").from(START).orElseThrow(), "calendar year in UTC");
        assertTrue(TokenDuration.parse("never").isNever());
        assertTrue(TokenDuration.parse(" NEVER ").from(START).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "forever", "P", "PT0S", "P0D", "-P1D", "P-1D", "365", "P1Y2X", "PT-5M"})
    void refusesWhatIsNotAPositiveDuration(String text) {
        assertThrows(IllegalArgumentException.class, () -> TokenDuration.parse(text));
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

package org.servicetokens.keycloak.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.servicetokens.keycloak.model.ServiceTokenSettings;

class ValidationTest {

    @Test
    void namesAreTrimmedAndBounded() {
        assertEquals("bot", Validation.name("  bot ", true));
        assertEquals(null, Validation.name(null, false));
        assertThrows(ApiError.class, () -> Validation.name(null, true));
        assertThrows(ApiError.class, () -> Validation.name("x".repeat(101), true));
        assertThrows(ApiError.class, () -> Validation.name("a\u0000b", true));
        assertThrows(ApiError.class, () -> Validation.name("a\r\nX-Injected: 1", true));
    }

    @Test
    void gracePeriodsRangeFromNothingToThirtyDays() {
        assertEquals(Duration.ZERO, Validation.gracePeriod(null));
        assertEquals(Duration.ZERO, Validation.gracePeriod("PT0S"));
        assertEquals(Duration.ofDays(30), Validation.gracePeriod("P30D"));
        assertEquals(Duration.ofHours(24), Validation.gracePeriod("pt24h"));
        for (String bad : List.of("P31D", "PT721H", "-PT1S", "1h", "", "P1M")) {
            assertThrows(ApiError.class, () -> Validation.gracePeriod(bad), bad);
        }
    }

    @Test
    void settingsKeepUnsetKeysAndRejectNonsense() {
        ServiceTokenSettings current = ServiceTokenSettings.DEFAULTS;
        ServiceTokenSettings updated = Validation.settings(new Representations.SettingsRequest(
                null, "P2Y", List.of(1, 30, 7, 7), null, "DELETE", List.of("a@example.com")), current);
        assertEquals("P365D", updated.defaultDuration().toString());
        assertEquals(List.of(30, 7, 1), updated.expiryWarningDays());
        assertEquals(ServiceTokenSettings.InactivityAction.delete, updated.inactivityAction());
        assertThrows(ApiError.class, () -> Validation.settings(new Representations.SettingsRequest(
                null, null, null, null, null, List.of("a@example.com\r\nBcc: evil@example.com")), current));
        assertThrows(ApiError.class, () -> Validation.settings(new Representations.SettingsRequest(
                null, "P30D", null, null, null, null), current), "default longer than max");
    }
}

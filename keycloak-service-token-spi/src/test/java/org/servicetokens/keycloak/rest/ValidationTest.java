package org.servicetokens.keycloak.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.servicetokens.keycloak.model.InactivityRule;
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
        assertEquals(Duration.ofDays(14), Validation.gracePeriod("P2W"));
        for (String bad : List.of(
                "P31D", "PT721H", "-PT1S", "1h", "", "P1M", "P1Y", "never", "P999999999999D", "PT0.5S", "PT-1S")) {
            assertThrows(ApiError.class, () -> Validation.gracePeriod(bad), bad);
        }
    }

    /** Characters that make a name display as something it is not (U+202E "RIGHT-TO-LEFT OVERRIDE" and kin). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\u202A",
                "\u202B",
                "\u202C",
                "\u202D",
                "\u202E",
                "\u2066",
                "\u2067",
                "\u2068",
                "\u2069",
                "\u200E",
                "\u200F",
                "\u061C",
                "\u200B",
                "\u200C",
                "\u200D",
                "\uFEFF",
                "\u2060",
                "\u2061",
                "\u2064",
                "\u00AD",
                "\u2028",
                "\u2029",
                "\u0085",
                "\u007F",
                "\u001B",
                "\u3164",
                "\u115F",
                "\u2800",
                "\uE000",
                "\uFFFF",
                "\uD800",
                "\uDB40\uDC01"
            })
    void invisibleAndDirectionalCharactersAreRefusedInNamesAndDescriptions(String character) {
        ApiError name = assertThrows(ApiError.class, () -> Validation.name("deploy" + character + "bot", true));
        String body = name.getResponse().getEntity().toString();
        assertTrue(body.contains("U+"), body);
        assertTrue(body.contains("position 7"), body);
        assertThrows(ApiError.class, () -> Validation.description("ok " + character));
    }

    @Test
    void ordinaryUnicodeAndLineBreaksInDescriptionsAreKept() {
        assertEquals("Déploiement ⚙ 配置 — ok", Validation.name("\u00A0Déploiement ⚙ 配置 — ok\u3000", true));
        assertEquals("line one\nline\ttwo", Validation.description("line one\nline\ttwo"));
        assertThrows(ApiError.class, () -> Validation.name("a\nb", true), "no line break in a name");
        assertThrows(ApiError.class, () -> Validation.name("\u00A0\u3000", true), "only spaces");
    }

    @Test
    void timesAreRangeChecked() {
        Instant latest = Instant.parse("2030-01-01T00:00:00Z");
        assertEquals(
                Instant.parse("2029-01-01T00:00:00Z"), Validation.timestamp("t", "2029-01-01T00:00:00Z", latest, "x"));
        for (String bad : List.of(
                "+999999999-12-31T23:59:59Z",
                "-999999999-01-01T00:00:00Z",
                "1969-12-31T23:59:59Z",
                "2030-01-01T00:00:01Z",
                "2029-01-01T00:00:00.9999999999Z",
                "soon",
                "1700000000",
                "")) {
            ApiError refused = assertThrows(ApiError.class, () -> Validation.timestamp("t", bad, latest, "x"), bad);
            assertEquals(400, refused.getResponse().getStatus());
        }
    }

    @Test
    void settingsKeepUnsetKeysAndRejectNonsense() {
        ServiceTokenSettings current = ServiceTokenSettings.DEFAULTS;
        ServiceTokenSettings updated = Validation.settings(
                new Representations.SettingsRequest(
                        null, "P2Y", List.of(1, 30, 7, 7), null, "DELETE", List.of("a@example.com")),
                current);
        assertEquals("P365D", updated.defaultDuration().toString());
        assertEquals(List.of(30, 7, 1), updated.expiryWarningDays());
        assertEquals(ServiceTokenSettings.InactivityAction.delete, updated.inactivityAction());
        assertThrows(
                ApiError.class,
                () -> Validation.settings(
                        new Representations.SettingsRequest(
                                null, null, null, null, null, List.of("a@example.com\r\nBcc: evil@example.com")),
                        current));
        assertThrows(
                ApiError.class,
                () -> Validation.settings(
                        new Representations.SettingsRequest(null, "P30D", null, null, null, null), current),
                "default longer than max");
        assertThrows(
                ApiError.class,
                () -> Validation.settings(
                        new Representations.SettingsRequest("P999999999999D", null, null, null, null, null), current),
                "huge default");
        assertThrows(
                ApiError.class,
                () -> Validation.settings(
                        new Representations.SettingsRequest(null, "P999999999Y", null, null, null, null), current),
                "huge maximum");
        assertThrows(
                ApiError.class,
                () -> Validation.settings(
                        new Representations.SettingsRequest(
                                null, null, null, null, null, List.of("ops\u202E@example.com")),
                        current),
                "bidi override in an address");
    }

    @Test
    void ownersAreEmailAddressesBoundedAndDeduplicated() {
        assertEquals(
                List.of("a@example.com", "b@example.org"),
                Validation.owners(List.of("a@example.com", "b@example.org", "a@example.com")));
        assertEquals(null, Validation.owners(null));
        assertEquals(List.of(), Validation.owners(List.of()));
        ApiError refused = assertThrows(ApiError.class, () -> Validation.owners(List.of("not-an-address")));
        assertTrue(refused.getMessage().contains("'owners'"), refused.getMessage());
        assertThrows(ApiError.class, () -> Validation.owners(java.util.Arrays.asList((String) null)));
        assertThrows(ApiError.class, () -> Validation.owners(List.of("a@example.com\r\nBcc: x@example.com")));
        assertThrows(
                ApiError.class,
                () -> Validation.owners(java.util.stream.IntStream.range(0, 21)
                        .mapToObj(i -> i + "@example.com")
                        .toList()));
    }

    @Test
    void aTokensInactivityRuleIsAPairOrTheRealms() {
        assertTrue(Validation.inactivityRule(null, null).isEmpty(), "absent: keep");
        assertTrue(Validation.inactivityRule(null, "realm").orElseThrow().isEmpty(), "realm: back to the realm's rule");
        assertEquals(
                new InactivityRule(30, ServiceTokenSettings.InactivityAction.disable),
                Validation.inactivityRule(30, "disable").orElseThrow().orElseThrow());
        assertEquals(
                new InactivityRule(0, ServiceTokenSettings.InactivityAction.none),
                Validation.inactivityRule(null, "none").orElseThrow().orElseThrow(),
                "exempt from the realm's rule");
        assertThrows(ApiError.class, () -> Validation.inactivityRule(30, null), "days without an action");
        assertThrows(ApiError.class, () -> Validation.inactivityRule(null, "delete"), "an action without days");
        assertThrows(ApiError.class, () -> Validation.inactivityRule(0, "disable"));
        assertThrows(ApiError.class, () -> Validation.inactivityRule(3651, "disable"));
        assertThrows(ApiError.class, () -> Validation.inactivityRule(30, "realm"));
        assertThrows(ApiError.class, () -> Validation.inactivityRule(30, "archive"));
    }

    @Test
    void networksAreParsedStrictlyWithTheEntryNamed() {
        assertEquals(null, Validation.networks(null));
        assertEquals(
                List.of("10.0.0.0/8"),
                Validation.networks(List.of("10.0.0.0/8")).texts());
        ApiError refused =
                assertThrows(ApiError.class, () -> Validation.networks(List.of("10.0.0.0/8", "10.0.0.0/33")));
        assertTrue(refused.getMessage().startsWith("'networks[1]'"), refused.getMessage());
    }
}

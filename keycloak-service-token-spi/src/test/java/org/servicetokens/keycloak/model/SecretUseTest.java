package org.servicetokens.keycloak.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SecretUseTest {

    private static final Instant T = Instant.parse("2030-01-01T12:00:00Z");

    @Test
    void mergeKeepsTheLaterUseAndSumsTheCounts() {
        SecretUse earlier = new SecretUse(T, "10.0.0.1", "bot/1", 5);
        SecretUse later = new SecretUse(T.plusSeconds(30), "10.0.0.2", "bot/2", 2);
        assertEquals(new SecretUse(T.plusSeconds(30), "10.0.0.2", "bot/2", 7), SecretUse.merge(earlier, later));
        assertEquals(new SecretUse(T.plusSeconds(30), "10.0.0.2", "bot/2", 7), SecretUse.merge(later, earlier));
        assertEquals(earlier, SecretUse.merge(earlier, null));
        assertEquals(later, SecretUse.merge(null, later));
        assertEquals(
                Long.MAX_VALUE,
                SecretUse.merge(new SecretUse(T, null, null, Long.MAX_VALUE), earlier)
                        .count(),
                "no overflow");
    }

    @Test
    void storedFormRoundTrips() {
        SecretUse use = new SecretUse(T, "2001:db8::1", "deploy-bot/2.1 (linux)", 42);
        assertEquals(use, SecretUse.parse(use.format()).orElseThrow());
        SecretUse bare = new SecretUse(T, null, null, 1);
        assertEquals(bare, SecretUse.parse(bare.format()).orElseThrow());
    }

    @Test
    void unreadableStoredFormsReadAsUnused() {
        for (String stored : new String[] {
            null,
            "",
            "x",
            "[]",
            "{}",
            "{\"at\":\"soon\",\"count\":1}",
            "{\"at\":1,\"count\":\"many\"}",
            "{\"at\":99999999999999999,\"count\":1}",
            "{\"at\":1,\"count\":1,\"pad\":\"" + "x".repeat(2000) + "\"}"
        }) {
            assertTrue(SecretUse.parse(stored).isEmpty(), String.valueOf(stored));
        }
        SecretUse odd = SecretUse.parse("{\"at\":1,\"count\":1,\"address\":\"<script>\",\"userAgent\":5}")
                .orElseThrow();
        assertNull(odd.address(), "not an address");
        assertNull(odd.userAgent());
    }

    @Test
    void userAgentsAreCleanedBoundedAndNeverCarryASecret() {
        String secret = TokenSecrets.generate();
        String cleaned = SecretUse.cleanUserAgent("bot\u0000/1\u202e " + secret + "\r\n");
        assertFalse(cleaned.contains(secret.substring(5)), "the secret is masked");
        assertFalse(cleaned.chars().anyMatch(c -> c < 0x20 || c == 0x202e), cleaned);
        assertEquals("bot/1 kcst_***", cleaned);
        assertEquals(
                SecretUse.MAX_USER_AGENT,
                SecretUse.cleanUserAgent("a".repeat(10_000)).length());
        assertNull(SecretUse.cleanUserAgent("\u0001\u0002"));
        assertNull(SecretUse.cleanUserAgent(null));
    }

    @Test
    void withinTheLastHour() {
        SecretUse use = new SecretUse(T, null, null, 1);
        assertTrue(use.within(Duration.ofHours(1), T.plus(Duration.ofMinutes(59))));
        assertTrue(use.within(Duration.ofHours(1), T.plus(Duration.ofHours(1))));
        assertFalse(use.within(Duration.ofHours(1), T.plus(Duration.ofMinutes(61))));
    }
}

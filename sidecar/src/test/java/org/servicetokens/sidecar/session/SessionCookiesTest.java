package org.servicetokens.sidecar.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.util.RandomTokens;

class SessionCookiesTest {

    private final String id = RandomTokens.next();

    @Test
    void secureCookiesCarryEveryFlagAndTheHostPrefix() {
        SessionCookies secure = new SessionCookies("sidecar", true);
        assertEquals("__Host-sidecar=" + id + "; Path=/; HttpOnly; Secure; SameSite=Lax", secure.session(id));
        assertEquals(
                "__Host-sidecar-login-x=" + id + "; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax",
                secure.build(secure.loginName() + "-x", id, Duration.ofMinutes(10)));
        assertEquals("__Host-sidecar=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax", secure.clearSession());
        // __Host- requires Secure, Path=/ and no Domain (RFC 6265bis §4.1.3.2).
        for (String c : List.of(
                secure.session(id),
                secure.build(secure.loginName() + "-x", id, Duration.ofMinutes(1)),
                secure.clear(secure.loginName() + "-x"))) {
            assertTrue(c.startsWith("__Host-") && c.contains("; Secure") && c.contains("; Path=/"), c);
            assertFalse(c.toLowerCase().contains("domain="), c);
        }
    }

    @Test
    void plainHttpCookiesHaveNoSecureFlagAndNoPrefix() {
        SessionCookies plain = new SessionCookies("sidecar", false);
        assertEquals("sidecar=" + id + "; Path=/; HttpOnly; SameSite=Lax", plain.session(id));
        assertFalse(
                plain.build(plain.loginName() + "-x", id, Duration.ofMinutes(1)).contains("Secure"));
    }

    @Test
    void theSessionCookieStaysFarBelowAnEightKilobyteHeader() {
        assertTrue(new SessionCookies("a-long-configured-cookie-name", true)
                        .session(id)
                        .length()
                < 200);
    }

    @Test
    void readingTakesOnlyOneWellFormedValue() {
        assertEquals(id, SessionCookies.read(List.of("a=1; __Host-sidecar=" + id + "; b=2"), "__Host-sidecar"));
        assertEquals(id, SessionCookies.read(List.of("a=1", "__Host-sidecar=" + id), "__Host-sidecar"));
        assertNull(
                SessionCookies.read(List.of("sidecar=" + id), "__Host-sidecar"),
                "an unprefixed cookie is not ours when secure");
        assertNull(
                SessionCookies.read(
                        List.of("__Host-sidecar=" + id + "; __Host-sidecar=" + RandomTokens.next()), "__Host-sidecar"),
                "two values (one planted) are ambiguous");
        assertNull(SessionCookies.read(List.of("__Host-sidecar=short"), "__Host-sidecar"));
        assertNull(SessionCookies.read(List.of("__Host-sidecar-login=" + id), "__Host-sidecar"), "no prefix matching");
        assertNull(SessionCookies.read(List.of(), "__Host-sidecar"));
    }
}

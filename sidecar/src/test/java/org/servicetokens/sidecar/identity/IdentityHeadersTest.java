package org.servicetokens.sidecar.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.servicetokens.sidecar.config.SidecarConfig;

class IdentityHeadersTest {

    private final IdentityHeaders ih = new IdentityHeaders(new SidecarConfig());

    @Test
    void stripsEverySpellingOfOurHeaders() {
        MultiMap m = MultiMap.caseInsensitiveMultiMap()
                .add("X_AUTH_SUBJECT", "a")
                .add("x-auth-whatever", "b")
                .add("X-Forwarded-Port", "1")
                .add("Forwarded", "for=x")
                .add("remote_user", "r")
                .add("KC_Access_Client_Secret", "s")
                .add("Authorization", "Bearer x")
                .add("Accept", "text/plain")
                .add("X-Custom", "keep");
        ih.strip(m);
        assertEquals(2, m.size(), m.toString());
        assertEquals("keep", m.get("X-Custom"));
    }

    @Test
    void cookiesOfTheSidecarOnly() {
        MultiMap m = MultiMap.caseInsensitiveMultiMap()
                .add("Cookie", "a=1; sidecar_s=2; __Host-sidecar=3")
                .add("Cookie", "SIDECAR=4; b=5");
        ih.strip(m);
        assertEquals(List.of("a=1; b=5"), m.getAll("Cookie"));
        MultiMap only = MultiMap.caseInsensitiveMultiMap().add("Cookie", "sidecar=1");
        ih.strip(only);
        assertNull(only.get("Cookie"));
    }

    @Test
    void valuesAreMadeSafe() {
        assertEquals("J%C3%B6rg", IdentityHeaders.safe("Jörg"));
        assertEquals("ab", IdentityHeaders.safe("a\r\nb"));
        assertEquals("100%25", IdentityHeaders.safe("100%"));
        assertEquals("plain", IdentityHeaders.safe("plain"));
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        ih.apply(
                new Identity(
                        Identity.Type.SERVICE,
                        "s",
                        "u\nX-Evil: 1",
                        null,
                        "c",
                        "tid",
                        "n",
                        List.of("r"),
                        Map.of("app", List.of("w")),
                        List.of(),
                        0,
                        0,
                        "tok"),
                m);
        assertFalse(m.get("X-Auth-Username").contains("\n"));
        assertEquals("r,app:w", m.get("X-Auth-Roles"));
        assertNull(m.get("X-Auth-Email"));
        assertTrue(m.contains("X-Access-Jwt-Assertion"));
    }

    @Test
    void namesWithSeparatorsCannotForgeListElements() {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        ih.apply(
                new Identity(
                        Identity.Type.USER,
                        "s",
                        "alice, bob\r\nX-Auth-Roles: admin",
                        "a@x",
                        "c",
                        null,
                        null,
                        List.of("a,b", "100%"),
                        Map.of("x,demo-app", List.of("admin", "a:b")),
                        List.of("/Team A/x,y", "/\u00dcnits"),
                        0,
                        0,
                        "t"),
                m);
        assertEquals("a%2Cb,100%25,x%2Cdemo-app:admin,x%2Cdemo-app:a%3Ab", m.get("X-Auth-Roles"));
        assertEquals("/Team%20A/x%2Cy,/%C3%9Cnits", m.get("X-Auth-Groups"));
        assertEquals("alice%2C bob%0D%0AX-Auth-Roles: admin", m.get("X-Auth-Username"));
        assertEquals(1, m.getAll("X-Auth-Roles").size());
    }

    /** The shortcut on a name's first character and length must never let a stripped name through. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "x-access-jwt-assertion",
                "authorization",
                "proxy-authorization",
                "remote-user",
                "forwarded",
                "x-real-ip",
                "x-remote-user",
                "x-user",
                "x-email",
                "kc-access-client-id",
                "kc-access-client-secret",
                "cf-access-client-id",
                "cf-access-client-secret",
                "x-auth-subject",
                "x-auth-anything-new",
                "x-forwarded-user",
                "x-access-whatever"
            })
    void everySpellingOfAStrippedNameIsStripped(String name) {
        for (String spelling : List.of(
                name,
                name.toUpperCase(),
                name.replace('-', '_'),
                name.toUpperCase().replace('-', '_'),
                Character.toUpperCase(name.charAt(0)) + name.substring(1))) {
            assertTrue(ih.isStripped(spelling), spelling);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Accept",
                "Host",
                "User-Agent",
                "Content-Type",
                "Content-Length",
                "Accept-Encoding",
                "Connection",
                "X-Custom",
                "X-Request-Id",
                "Cache-Control",
                "Origin",
                "Referer",
                "Authorisation",
                "\u00e9t\u00e9"
            })
    void ordinaryHeadersPass(String name) {
        assertFalse(ih.isStripped(name), name);
    }

    @Test
    void anIdentitysHeadersAreBuiltOnceAndForwardedAlike() {
        Identity id = new Identity(
                Identity.Type.USER,
                "s",
                "u",
                "e@x",
                "c",
                null,
                null,
                List.of("r"),
                Map.of(),
                List.of("/g"),
                0,
                0,
                "aaa.bbb.ccc");
        MultiMap first = MultiMap.caseInsensitiveMultiMap();
        MultiMap second = MultiMap.caseInsensitiveMultiMap();
        ih.apply(id, first);
        ih.apply(id, second);
        assertEquals(first.toString(), second.toString());
        assertEquals("aaa.bbb.ccc", second.get("X-Access-Jwt-Assertion"));
        assertEquals("user", second.get("X-Auth-Type"));
        assertEquals("/g", second.get("X-Auth-Groups"));
        assertEquals(1, second.getAll("X-Auth-Subject").size());
    }
}

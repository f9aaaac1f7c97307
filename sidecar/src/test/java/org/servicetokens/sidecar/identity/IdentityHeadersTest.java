package org.servicetokens.sidecar.identity;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentityHeadersTest {

  private final IdentityHeaders ih = new IdentityHeaders(new SidecarConfig());

  @Test
  void stripsEverySpellingOfOurHeaders() {
    MultiMap m = MultiMap.caseInsensitiveMultiMap()
        .add("X_AUTH_SUBJECT", "a").add("x-auth-whatever", "b").add("X-Forwarded-Port", "1").add("Forwarded", "for=x")
        .add("remote_user", "r").add("KC_Access_Client_Secret", "s").add("Authorization", "Bearer x")
        .add("Accept", "text/plain").add("X-Custom", "keep");
    ih.strip(m);
    assertEquals(2, m.size(), m.toString());
    assertEquals("keep", m.get("X-Custom"));
  }

  @Test
  void cookiesOfTheSidecarOnly() {
    MultiMap m = MultiMap.caseInsensitiveMultiMap().add("Cookie", "a=1; sidecar_s=2; __Host-sidecar=3").add("Cookie", "SIDECAR=4; b=5");
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
    ih.apply(new Identity(Identity.Type.SERVICE, "s", "u\nX-Evil: 1", null, "c", "tid", "n", List.of("r"),
        Map.of("app", List.of("w")), List.of(), 0, 0, "tok"), m);
    assertFalse(m.get("X-Auth-Username").contains("\n"));
    assertEquals("r,app:w", m.get("X-Auth-Roles"));
    assertNull(m.get("X-Auth-Email"));
    assertTrue(m.contains("X-Access-Jwt-Assertion"));
  }
}

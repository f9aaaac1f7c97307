package org.servicetokens.sidecar.credentials;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;

import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CredentialExtractorTest {

  private final CredentialExtractor x = new CredentialExtractor(new SidecarConfig().credentials, SessionCredentials.NONE);

  private static MultiMap h(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void kinds() throws Exception {
    assertNull(x.explicit(h()));
    assertInstanceOf(Credential.Bearer.class, x.explicit(h("authorization", "bearer abc")));
    Credential.ClientSecret hdr = (Credential.ClientSecret) x.explicit(h("kc-access-client-id", "bot", "KC-ACCESS-CLIENT-SECRET", "s3"));
    assertEquals("bot", hdr.clientId());
    assertEquals("headers", hdr.source());
    Credential.ClientSecret cf = (Credential.ClientSecret) x.explicit(h("CF-Access-Client-Id", "bot", "CF-Access-Client-Secret", "s3"));
    assertEquals("bot", cf.clientId());
    String basic = Base64.getEncoder().encodeToString("bot:pa:ss".getBytes());
    Credential.ClientSecret b = (Credential.ClientSecret) x.explicit(h("Authorization", "Basic " + basic));
    assertEquals("bot", b.clientId());
    assertEquals("basic", b.source());
    assertFalse(b.toString().contains("pa:ss"), "toString never shows the secret");
  }

  @Test
  void ambiguity() {
    assertEquals(400, assertThrows(CredentialException.class, () -> x.explicit(h("Authorization", "Bearer a", "Authorization", "Bearer b"))).status());
    assertEquals(400, assertThrows(CredentialException.class, () -> x.explicit(h("KC-Access-Client-Id", "a", "CF-Access-Client-Id", "a",
        "KC-Access-Client-Secret", "s", "CF-Access-Client-Secret", "s"))).status());
    assertEquals(400, assertThrows(CredentialException.class, () -> x.explicit(h("KC-Access-Client-Id", "a"))).status());
    assertEquals(400, assertThrows(CredentialException.class, () -> x.explicit(h("KC-Access-Client-Id", "a", "KC-Access-Client-Secret", "s",
        "Authorization", "Bearer x"))).status());
    assertEquals(401, assertThrows(CredentialException.class, () -> x.explicit(h("Authorization", "Negotiate x"))).status());
  }

  @Test
  void basicCanBeSwitchedOff() {
    SidecarConfig.Credentials c = new SidecarConfig().credentials;
    c.basic = false;
    CredentialExtractor noBasic = new CredentialExtractor(c, SessionCredentials.NONE);
    assertEquals(401, assertThrows(CredentialException.class,
        () -> noBasic.explicit(h("Authorization", "Basic " + Base64.getEncoder().encodeToString("a:b".getBytes())))).status());
  }
}

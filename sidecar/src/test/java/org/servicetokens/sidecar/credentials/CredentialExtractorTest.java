package org.servicetokens.sidecar.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.TestSecrets;

class CredentialExtractorTest {

    private static final String S3 = TestSecrets.of("s3");
    private final CredentialExtractor x =
            new CredentialExtractor(new SidecarConfig().credentials, SessionCredentials.NONE);

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
        Credential.ClientSecret hdr =
                (Credential.ClientSecret) x.explicit(h("kc-access-client-id", "bot", "KC-ACCESS-CLIENT-SECRET", S3));
        assertEquals("bot", hdr.clientId());
        assertEquals("headers", hdr.source());
        Credential.ClientSecret cf =
                (Credential.ClientSecret) x.explicit(h("CF-Access-Client-Id", "bot", "CF-Access-Client-Secret", S3));
        assertEquals("bot", cf.clientId());
        Credential.ClientSecret b = (Credential.ClientSecret) x.explicit(h("Authorization", basic("bot:" + S3)));
        assertEquals("bot", b.clientId());
        assertEquals(S3, b.secret());
        assertEquals("basic", b.source());
        assertFalse(b.toString().contains(S3), "toString never shows the secret");
    }

    @Test
    void ambiguity() {
        assertEquals(
                400,
                assertThrows(
                                CredentialException.class,
                                () -> x.explicit(h("Authorization", "Bearer a", "Authorization", "Bearer b")))
                        .status());
        assertEquals(
                400,
                assertThrows(
                                CredentialException.class,
                                () -> x.explicit(h(
                                        "KC-Access-Client-Id",
                                        "a",
                                        "CF-Access-Client-Id",
                                        "a",
                                        "KC-Access-Client-Secret",
                                        "s",
                                        "CF-Access-Client-Secret",
                                        "s")))
                        .status());
        assertEquals(
                400,
                assertThrows(CredentialException.class, () -> x.explicit(h("KC-Access-Client-Id", "a")))
                        .status());
        assertEquals(
                400,
                assertThrows(
                                CredentialException.class,
                                () -> x.explicit(h(
                                        "KC-Access-Client-Id",
                                        "a",
                                        "KC-Access-Client-Secret",
                                        "s",
                                        "Authorization",
                                        "Bearer x")))
                        .status());
        assertEquals(
                401,
                assertThrows(CredentialException.class, () -> x.explicit(h("Authorization", "Negotiate x")))
                        .status());
    }

    private static String basic(String idColonSecret) {
        return "Basic " + Base64.getEncoder().encodeToString(idColonSecret.getBytes(StandardCharsets.UTF_8));
    }

    private int status(String... headers) {
        return assertThrows(CredentialException.class, () -> x.explicit(h(headers)))
                .status();
    }

    private String reason(String... headers) {
        return assertThrows(CredentialException.class, () -> x.explicit(h(headers)))
                .reason();
    }

    @Test
    void secretsNotOfThePublishedFormatAreRefusedWithoutAsking() throws Exception {
        String good = TestSecrets.random();
        for (String bad : new String[] {
            "s3",
            "kcst_",
            "kcst_short",
            good.toUpperCase(),
            good + "x",
            good.substring(1),
            TestSecrets.withBadChecksum(good),
            good.replace("kcst_", "KCST_"),
            good.substring(0, 20) + "-" + good.substring(21),
            good.substring(0, 20) + "\u00e9" + good.substring(21),
            "ghp_" + good.substring(4)
        }) {
            assertEquals(401, status("KC-Access-Client-Id", "bot", "KC-Access-Client-Secret", bad), bad);
            assertEquals(
                    "invalid_client_secret_format",
                    reason("KC-Access-Client-Id", "bot", "KC-Access-Client-Secret", bad));
            // In Basic, a raw non-ASCII character is already a malformed form encoding (400); both are refusals.
            assertTrue(Set.of("invalid_client_secret_format", "malformed_basic_credentials")
                    .contains(reason("Authorization", basic("bot:" + bad))));
        }
        assertEquals(
                good,
                ((Credential.ClientSecret) x.explicit(h("KC-Access-Client-Id", "bot", "KC-Access-Client-Secret", good)))
                        .secret());
    }

    @Test
    void clientIdsOfAnotherShapeAreRefused() throws Exception {
        String s = TestSecrets.random();
        for (String bad :
                new String[] {"a b", "bot\"", "b\u00f6t", "bot/x", "bot%41", "x".repeat(256), "bot;", "<b>"}) {
            assertEquals(
                    "invalid_client_id_format", reason("KC-Access-Client-Id", bad, "KC-Access-Client-Secret", s), bad);
        }
        for (String good : new String[] {"ci-deployer-k3j9x2mq", "A.b_c~d-1", "x".repeat(255)}) {
            assertEquals(
                    good,
                    ((Credential.ClientSecret) x.explicit(h("KC-Access-Client-Id", good, "KC-Access-Client-Secret", s)))
                            .clientId());
        }
    }

    /** RFC 6749 §2.3.1: both parts are form-url-encoded inside Basic, and decoded before use. */
    @Test
    void basicIdAndSecretAreFormUrlDecoded() throws Exception {
        String s = TestSecrets.random();
        String encodedSecret = "%6B" + s.substring(1); // "k" escaped: a client that escapes more than it must
        Credential.ClientSecret b =
                (Credential.ClientSecret) x.explicit(h("Authorization", basic("ci%2Dbot%2Ex:" + encodedSecret)));
        assertEquals("ci-bot.x", b.clientId());
        assertEquals(s, b.secret());
        assertEquals(
                "invalid_client_id_format",
                reason("Authorization", basic("a+b:" + s)),
                "+ is a space, and spaces are no client ID");
        for (String malformed : new String[] {
            "bot%:" + s,
            "bot%4:" + s,
            "bot%zz:" + s,
            "bot:" + s + "%",
            "b%C3%28t:" + s,
            "b%ED%A0%80t:" + s,
            "b\u00f6t:" + s
        }) {
            assertEquals(400, status("Authorization", basic(malformed)), malformed);
            assertEquals("malformed_basic_credentials", reason("Authorization", basic(malformed)));
        }
        assertEquals("a b+c", CredentialExtractor.formDecode("a+b%2Bc"));
    }

    @Test
    void basicCanBeSwitchedOff() {
        SidecarConfig.Credentials c = new SidecarConfig().credentials;
        c.basic = false;
        CredentialExtractor noBasic = new CredentialExtractor(c, SessionCredentials.NONE);
        assertEquals(
                401,
                assertThrows(
                                CredentialException.class,
                                () -> noBasic.explicit(h(
                                        "Authorization",
                                        "Basic " + Base64.getEncoder().encodeToString("a:b".getBytes()))))
                        .status());
    }
}

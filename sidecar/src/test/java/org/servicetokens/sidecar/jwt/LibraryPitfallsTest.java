package org.servicetokens.sidecar.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.keycloak.KeySet;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestKey;

/**
 * Pins down the vertx-auth-jwt 5.0.7 behaviours the verifier is built around (no keys accepts unsigned tokens; aud is any-of; no exp never expires). If one of
 * these starts failing after an upgrade, the library changed: re-read the verifier's comments. The sidecar's
 * own behaviour for the same inputs is asserted in the adversarial corpus (jwt.yaml) and KeyRotationTest.
 */
class LibraryPitfallsTest {

    static final Vertx vertx = Vertx.vertx();
    static final TestKey key = TestKey.rsa("k1");

    @AfterAll
    static void close() {
        Http.await(vertx.close());
    }

    private static JsonObject claims() {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject()
                .put("iss", "i")
                .put("aud", new JsonArray().add("other").add("demo-app"))
                .put("sub", "s")
                .put("iat", now);
    }

    @Test
    void jwtAuthWithoutKeysAcceptsUnsignedTokens() {
        JWTAuth empty = JWTAuth.create(vertx, new JWTAuthOptions());
        String unsigned = TestKey.b64("{\"alg\":\"none\"}") + "." + TestKey.b64(claims().encode());
        assertEquals(
                "s",
                Http.await(empty.authenticate(new TokenCredentials(unsigned)))
                        .principal()
                        .getString("sub"),
                "the library trap is still there");
        // …which is why a key set without a usable key cannot even be constructed:
        assertThrows(IllegalStateException.class, () -> KeySet.parse(new JsonObject().put("keys", new JsonArray()), 1));
        assertThrows(IllegalStateException.class, () -> KeySet.parse(new JsonObject(), 1));
        JsonObject hmac = new JsonObject().put("kty", "oct").put("alg", "HS256").put("k", TestKey.b64("x"));
        assertThrows(
                IllegalStateException.class,
                () -> KeySet.parse(new JsonObject().put("keys", new JsonArray().add(hmac)), 1));
    }

    @Test
    void jwtAuthAcceptsTokensWithoutExpAndAnyAudience() {
        JWTAuth auth = JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                        .setJwks(List.of(key.jwk()))
                        .setJWTOptions(new JWTOptions()
                                .setAudience(List.of("demo-app", "x"))
                                .setLeeway(5)));
        String noExp = key.sign(claims().put("aud", "x"));
        Http.await(auth.authenticate(new TokenCredentials(noExp)));
        // The sidecar's verifier requires exp; see the adversarial corpus case jwt-exp-missing for the end-to-end
        // check.
        KeySet ks = KeySet.parse(new JsonObject().put("keys", new JsonArray().add(key.jwk())), 1);
        assertEquals(1, ks.keys().size());
    }

    @Test
    void keySetKeepsOnlyVerificationKeysOfAllowedAlgorithms() {
        TestKey ec = TestKey.ec("e");
        JsonObject priv = key.jwk().put("kid", "with-private").put("d", "AAAA");
        JsonObject rs512 = TestKey.rsa("r").jwk().put("alg", "RS512");
        JsonObject enc = key.jwk().put("kid", "enc").put("use", "enc");
        JsonObject ecWrongCurve = ec.jwk().put("kid", "p384").put("crv", "P-384");
        KeySet ks = KeySet.parse(
                new JsonObject()
                        .put(
                                "keys",
                                new JsonArray()
                                        .add(key.jwk())
                                        .add(ec.jwk())
                                        .add(priv)
                                        .add(rs512)
                                        .add(enc)
                                        .add(ecWrongCurve)
                                        .add("junk")),
                7);
        assertEquals(java.util.Set.of("k1", "e", "with-private"), ks.kids());
        assertTrue(ks.keys().stream().noneMatch(k -> k.containsKey("d")), "private parts are dropped");
        assertEquals(7, ks.version());
    }
}

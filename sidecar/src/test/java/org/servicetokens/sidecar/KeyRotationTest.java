package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestKey;

/** Realm key rotation, unknown-kid refetch and its rate limit, and key sets that must never be installed. */
class KeyRotationTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> c.keycloak.jwksMinRefetchInterval = Duration.ofMillis(700));

    @BeforeEach
    void restore() {
        h.keycloak.jwksOverride = null;
        h.keycloak.published.clear();
        h.keycloak.published.add(h.key);
        // Bring the sidecar back to the realm's original keys, whatever an earlier test left installed.
        Harness.sleep(800);
        get(new TestKey("resync", "RS256", h.key.pair()));
        Harness.sleep(800);
    }

    private int get(TestKey key) {
        return h.http.get("/r", "Authorization", "Bearer " + key.sign(h.keycloak.claims("u")))
                .status();
    }

    @Test
    void newKeyIsAcceptedAfterOneRefetchAndRemovedKeyIsRejected() {
        TestKey k2 = TestKey.rsa("k2");
        h.keycloak.published.add(k2);
        int before = h.keycloak.jwksCalls.get();
        assertEquals(200, get(k2), "a token signed by the new key works without restart");
        assertEquals(before + 1, h.keycloak.jwksCalls.get());
        assertEquals(200, get(k2));
        assertEquals(before + 1, h.keycloak.jwksCalls.get(), "known kid: no more fetches");

        h.keycloak.published.remove(h.key);
        Harness.sleep(800);
        // Any unknown kid triggers the refetch that drops k1 (so does the periodic refresh).
        assertEquals(401, get(TestKey.rsa("k-unknown")));
        assertEquals(401, get(h.key), "a token signed by the removed key is rejected");
        assertEquals(200, get(k2));
    }

    @Test
    void unknownKidRefetchIsRateLimited() {
        int before = h.keycloak.jwksCalls.get();
        long t0 = System.nanoTime();
        TestKey stranger = TestKey.ec("x");
        for (int i = 0; i < 30; i++) {
            TestKey k = new TestKey("random-" + i, "ES256", stranger.pair());
            assertEquals(401, get(k));
        }
        int fetched = h.keycloak.jwksCalls.get() - before;
        long allowed = 1 + (System.nanoTime() - t0) / 700_000_000L;
        assertTrue(
                fetched >= 1 && fetched <= allowed,
                "30 unknown kids cost " + fetched + " fetch(es), at most " + allowed + " allowed");
    }

    @Test
    void ecAndPssKeysWork() {
        TestKey ec = TestKey.ec("ec-1");
        TestKey ps = TestKey.rsa("ps-1", "PS256");
        h.keycloak.published.add(ec);
        h.keycloak.published.add(ps);
        assertEquals(200, get(ec));
        assertEquals(200, get(ps));
    }

    @Test
    void keySetWithoutUsableKeysIsNeverInstalled() {
        JsonObject hmacKey = new JsonObject()
                .put("kty", "oct")
                .put("kid", "h")
                .put("alg", "HS256")
                .put("k", TestKey.b64("secret"));
        JsonObject encKey = h.key.jwk().put("use", "enc").put("kid", "enc");
        JsonObject rs512 = TestKey.rsa("rs512").jwk().put("alg", "RS512");
        for (JsonObject bad : new JsonObject[] {
            new JsonObject().put("keys", new JsonArray()),
            new JsonObject().put("keys", new JsonArray().add(hmacKey)),
            new JsonObject().put("keys", new JsonArray().add(encKey).add(rs512)),
            new JsonObject().put("nothing", true)
        }) {
            h.keycloak.jwksOverride = bad;
            Harness.sleep(800);
            assertEquals(401, get(TestKey.rsa("k-new")), "unknown kid triggers a refetch of the bad set");
            assertEquals(200, get(h.key), "the previous keys stay in force");
            String unsigned = TestKey.b64("{\"alg\":\"none\"}") + "."
                    + TestKey.b64(h.keycloak.claims("u").encode()) + ".";
            assertEquals(
                    401, h.http.get("/r", "Authorization", "Bearer " + unsigned).status());
        }
        assertEquals(
                0,
                h.upstream.seen.stream()
                        .filter(s -> s.headers().get("X-Auth-Subject") == null)
                        .count());
    }

    @Test
    void sidecarStartedAgainstAnEmptyKeySetAcceptsNothing() throws Exception {
        try (Harness empty =
                new Harness(k -> k.jwksOverride = new JsonObject().put("keys", new JsonArray()), c -> {}, false)) {
            TestKey k = empty.key;
            String token = k.sign(empty.keycloak.claims("u"));
            Http.Response r = empty.http.get("/x", "Authorization", "Bearer " + token);
            assertEquals(503, r.status(), "cannot verify yet: 503, never 200");
            String unsigned = TestKey.b64("{\"alg\":\"none\"}") + "."
                    + TestKey.b64(empty.keycloak.claims("u").encode()) + ".";
            assertEquals(
                    401,
                    empty.http.get("/x", "Authorization", "Bearer " + unsigned).status());
            assertEquals(503, empty.management().get("/ready").status());
            assertEquals(0, empty.upstream.hits.get());
        }
    }
}

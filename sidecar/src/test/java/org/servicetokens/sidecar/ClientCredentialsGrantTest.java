package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestSecrets;

/** Service-token exchange: caching, single flight, negative cache, Keycloak outages and the breaker. */
class ClientCredentialsGrantTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> {
        c.exchange.negativeTtl = Duration.ofMillis(800);
        c.keycloak.breakerFailureThreshold = 3;
        c.keycloak.breakerOpenDuration = Duration.ofMillis(700);
    });

    @BeforeEach
    void reset() {
        h.upstream.reset();
        h.keycloak.tokenCalls.set(0);
        h.keycloak.tokenMode = FakeKeycloak.Mode.OK;
        h.keycloak.tokenDelayMs = 0;
    }

    @AfterEach
    void heal() {
        h.keycloak.tokenMode = FakeKeycloak.Mode.OK;
    }

    private static String[] creds(String id, String secret) {
        return new String[] {"KC-Access-Client-Id", id, "KC-Access-Client-Secret", secret};
    }

    private static void client(String id, String secret) {
        h.keycloak.clients.put(id, new FakeKeycloak.Client(secret, "sub-" + id, id + " token", List.of("demo-app")));
    }

    @Test
    void thousandSequentialRequestsMakeOneTokenCall() {
        client("seq-bot", TestSecrets.of("seq-bot"));
        for (int i = 0; i < 1000; i++) {
            assertEquals(
                    200,
                    h.http.get("/s/" + i, creds("seq-bot", TestSecrets.of("seq-bot")))
                            .status());
        }
        assertEquals(1, h.keycloak.tokenCalls.get());
        assertEquals(1000, h.upstream.hits.get());
    }

    @Test
    void concurrentFirstRequestsShareOneTokenCall() {
        client("burst-bot", TestSecrets.of("burst-bot"));
        h.keycloak.tokenDelayMs = 300;
        List<Future<Http.Response>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(h.http.sendAsync(HttpMethod.GET, "/b/" + i, null, creds("burst-bot", TestSecrets.of("burst-bot"))));
        }
        for (Future<Http.Response> f : all) {
            assertEquals(200, Http.await(f).status());
        }
        assertEquals(1, h.keycloak.tokenCalls.get(), "single flight across both verticles");
    }

    @Test
    void refusedSecretIsRememberedBriefly() {
        client("neg-bot", TestSecrets.of("neg-right"));
        for (int i = 0; i < 10; i++) {
            Http.Response r = h.http.get("/n", creds("neg-bot", TestSecrets.of("neg-wrong")));
            assertEquals(401, r.status());
            assertEquals("invalid_client", new JsonObject(r.body()).getString("reason"));
        }
        assertEquals(1, h.keycloak.tokenCalls.get(), "a wrong secret cannot hammer Keycloak");
        Harness.sleep(1000);
        assertEquals(
                401,
                h.http.get("/n", creds("neg-bot", TestSecrets.of("neg-wrong"))).status());
        assertEquals(2, h.keycloak.tokenCalls.get(), "remembered for seconds only");
        assertEquals(
                200,
                h.http.get("/n", creds("neg-bot", TestSecrets.of("neg-right"))).status(),
                "the right secret is another key");
        assertEquals(0 + 1, h.upstream.hits.get());
    }

    @Test
    void keycloakDownGives503WithRetryAfterAndTheBreakerOpens() {
        client("down-bot", TestSecrets.of("down-bot"));
        for (FakeKeycloak.Mode mode :
                List.of(FakeKeycloak.Mode.ERROR_503, FakeKeycloak.Mode.RESET, FakeKeycloak.Mode.HANG)) {
            h.keycloak.tokenMode = mode;
            long t0 = System.nanoTime();
            Http.Response r = h.http.get("/d", creds("down-bot", TestSecrets.of("down-bot")));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, r.status(), mode.name());
            assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1, mode.name());
            assertEquals("keycloak_unavailable", new JsonObject(r.body()).getString("reason"));
            assertTrue(ms < 2500, mode + " answered within the bounded timeout, took " + ms + " ms");
        }
        assertEquals(3, h.keycloak.tokenCalls.get());
        // Three failures opened the breaker: the next request fails fast without calling Keycloak.
        h.keycloak.tokenMode = FakeKeycloak.Mode.OK;
        Http.Response fast = h.http.get("/d", creds("down-bot", TestSecrets.of("down-bot")));
        assertEquals(503, fast.status());
        assertEquals(3, h.keycloak.tokenCalls.get());
        assertEquals(0, h.upstream.hits.get());
        // After the open period one trial goes through and closes it again.
        Harness.sleep(800);
        assertEquals(
                200,
                h.http.get("/d", creds("down-bot", TestSecrets.of("down-bot"))).status());
        assertEquals(4, h.keycloak.tokenCalls.get());
    }

    @Test
    void requestBodySurvivesTheAsynchronousExchange() {
        // Without pause/resume around the exchange, the body would be lost (or the client get 502).
        client("body-bot", TestSecrets.of("body-bot"));
        h.keycloak.tokenDelayMs = 200;
        Buffer body = Buffer.buffer(new byte[1024 * 1024]);
        Http.Response r = h.http.send(HttpMethod.POST, "/echo", body, creds("body-bot", TestSecrets.of("body-bot")));
        assertEquals(200, r.status(), r.body());
        assertEquals(1024 * 1024, new JsonObject(r.body()).getInteger("bodyLength"));
    }

    @Test
    void expiredCachedTokenIsExchangedAgain() {
        client("short-bot", TestSecrets.of("short-bot"));
        h.keycloak.tokenLifetimeSeconds = 31; // cached until 30 s before exp: i.e. for about 1 s
        try {
            assertEquals(
                    200,
                    h.http.get("/e", creds("short-bot", TestSecrets.of("short-bot")))
                            .status());
            Harness.sleep(1500);
            assertEquals(
                    200,
                    h.http.get("/e", creds("short-bot", TestSecrets.of("short-bot")))
                            .status());
            assertEquals(2, h.keycloak.tokenCalls.get());
        } finally {
            h.keycloak.tokenLifetimeSeconds = 300;
        }
    }
}

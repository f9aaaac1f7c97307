package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * Junk credentials (issue 11, kind 13): malformed ones never reach Keycloak; well-formed unknown ones reach it at a
 * bounded rate, per client ID and in total, and what overflows gets 429 without touching the circuit breaker; a
 * bot's first exchange during such a flood waits its turn and succeeds; a bot seen before is not limited at all; the
 * exchanges' own pool being full is our queueing, not a Keycloak failure.
 */
class JunkCredentialsTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> {
        c.exchange.callsPerSecond = 10;
        c.exchange.callsBurst = 10;
        c.exchange.callsPerClientPerMinute = 4;
        c.exchange.callQueue = 16;
        c.exchange.callQueueTimeout = Duration.ofSeconds(3);
        c.exchange.poolSize = 4;
        c.exchange.poolMaxWaitQueue = 2;
        c.keycloak.breakerFailureThreshold = 2;
    });

    @BeforeEach
    void reset() {
        h.keycloak.tokenCalls.set(0);
        h.keycloak.tokenDelayMs = 0;
        h.keycloak.tokenMode = FakeKeycloak.Mode.OK;
        Harness.sleep(1100); // the replica-wide bucket refills between tests
    }

    private static String[] creds(String id, String secret) {
        return new String[] {"KC-Access-Client-Id", id, "KC-Access-Client-Secret", secret};
    }

    private static void bot(String id) {
        h.keycloak.clients.put(id, new FakeKeycloak.Client(TestSecrets.of(id), "sub-" + id, id, List.of("demo-app")));
    }

    private static double breakerOpen() {
        return Harness.metric(h.management(), "sidecar_keycloak_breaker_open");
    }

    @Test
    void fifteenHundredMalformedSecretsCauseNoCallAtKeycloak() {
        Random random = new Random(11);
        String good = TestSecrets.random();
        List<Future<Http.Response>> replies = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            String junk = switch (i % 5) {
                case 0 -> "kcst_" + UUID.randomUUID();
                case 1 -> TestSecrets.withBadChecksum(TestSecrets.random());
                case 2 -> Long.toString(random.nextLong(), 36);
                case 3 -> good.substring(0, 10 + random.nextInt(40));
                default -> "ghp_" + good.substring(5);
            };
            replies.add(h.http.sendAsync(HttpMethod.GET, "/junk", null, creds("bot-" + i, junk)));
            if (replies.size() == 100) {
                expectAllFormatRefusals(replies);
            }
        }
        expectAllFormatRefusals(replies);
        assertEquals(0, h.keycloak.tokenCalls.get(), "no call at Keycloak for any of them");
        assertEquals(401, h.http.get("/junk", creds("bad id!", good)).status());
        assertEquals(0, h.keycloak.tokenCalls.get());
    }

    private static void expectAllFormatRefusals(List<Future<Http.Response>> replies) {
        for (Future<Http.Response> f : replies) {
            Http.Response r = Http.await(f);
            assertEquals(401, r.status());
            assertEquals("invalid_client_secret_format", new JsonObject(r.body()).getString("reason"));
            assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), "a 401 carries its challenge");
        }
        replies.clear();
    }

    @Test
    void aFloodOfWellFormedWrongSecretsIsBoundedAndABotsFirstExchangeStillSucceeds() throws Exception {
        bot("first-timer");
        AtomicBoolean flooding = new AtomicBoolean(true);
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> flood = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                while (flooding.get()) {
                    statuses.add(h.http.get("/flood", creds("junk-" + UUID.randomUUID(), TestSecrets.random()))
                            .status());
                }
            });
            thread.start();
            flood.add(thread);
        }
        long t0 = System.nanoTime();
        Harness.sleep(1500);
        long tBot = System.nanoTime();
        Http.Response first = h.http.get("/ok", creds("first-timer", TestSecrets.of("first-timer")));
        long botMs = (System.nanoTime() - tBot) / 1_000_000;
        Harness.sleep(1000);
        flooding.set(false);
        for (Thread thread : flood) {
            thread.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(200, first.status(), "the bot's first exchange during the flood: " + first.body());
        int calls = h.keycloak.tokenCalls.get();
        assertTrue(calls <= 10 + 10 * seconds + 2, calls + " calls in " + seconds + " s: at most burst + rate");
        // 401: Keycloak said no; 429: our rate bound; 503: this harness's deliberately tiny exchange pool was full.
        assertTrue(
                statuses.stream().allMatch(s -> s == 401 || s == 429 || s == 503),
                "statuses " + new java.util.TreeSet<>(statuses));
        assertEquals(0.0, breakerOpen(), "refusals by Keycloak and our own limits never open the breaker");
        System.out.println(
                "Flood of " + statuses.size() + " well-formed wrong secrets in " + String.format("%.1f", seconds)
                        + " s: " + calls + " calls at Keycloak, "
                        + statuses.stream().filter(s -> s == 429).count()
                        + " answered 429; a bot's first exchange during it took " + botMs + " ms and succeeded");
    }

    @Test
    void oneClientIdGetsAFewCallsAMinuteAndThen429WithoutCallingKeycloak() {
        for (int i = 0; i < 4; i++) {
            assertEquals(
                    401, h.http.get("/x", creds("ci-bot", TestSecrets.random())).status());
        }
        Http.Response limited = h.http.get("/x", creds("ci-bot", TestSecrets.random()));
        assertEquals(429, limited.status(), limited.body());
        assertEquals("client_rate_limited", new JsonObject(limited.body()).getString("reason"));
        assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);
        assertEquals(4, h.keycloak.tokenCalls.get());
        assertEquals(
                403,
                h.http.get("/x", creds("other-bot", Harness.OTHER_SECRET)).status(),
                "another client ID is not affected (other-bot is not allowed for this app: 403 after a successful exchange)");
        assertTrue(
                Harness.metric(h.management(), "sidecar_exchange_refused_total{reason=\"client_rate_limited\"}") >= 1);
    }

    @Test
    void aBotSeenBeforeIsNotLimitedEvenWhenTheBucketsAreEmpty() {
        bot("regular");
        String[] regular = creds("regular", TestSecrets.of("regular"));
        h.keycloak.tokenLifetimeSeconds = 31; // cached until 30 s before exp: about 1 s
        try {
            assertEquals(200, h.http.get("/r", regular).status());
            List<Future<Http.Response>> junk = new ArrayList<>();
            for (int i = 0; i < 80; i++) { // empty the replica-wide bucket and fill the queue with junk
                junk.add(h.http.sendAsync(HttpMethod.GET, "/j", null, creds("j" + i, TestSecrets.random())));
            }
            Harness.sleep(1200);
            long t0 = System.nanoTime();
            assertEquals(200, h.http.get("/r", regular).status(), "re-exchanged at once, ahead of the queue");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 500);
            long limited = junk.stream()
                    .map(Http::await)
                    .filter(r -> r.status() == 429)
                    .count();
            assertTrue(limited > 0, "80 at once overflow the burst (10) and the queue (16): the rest get 429");
        } finally {
            h.keycloak.tokenLifetimeSeconds = 300;
        }
    }

    @Test
    void aFullExchangePoolIsOurQueueingAndNeverOpensTheBreaker() {
        h.keycloak.tokenDelayMs = 600;
        List<Future<Http.Response>> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            bot("pool-" + i);
            replies.add(h.http.sendAsync(HttpMethod.GET, "/p", null, creds("pool-" + i, TestSecrets.of("pool-" + i))));
        }
        int ok = 0;
        int busy = 0;
        for (Future<Http.Response> f : replies) {
            Http.Response r = Http.await(f);
            if (r.status() == 200) {
                ok++;
            } else {
                assertEquals(503, r.status(), r.body());
                assertEquals("exchange_pool_busy", new JsonObject(r.body()).getString("reason"));
                assertTrue(r.header("Retry-After") != null);
                busy++;
            }
        }
        assertTrue(ok >= 4 && busy >= 1, ok + " served, " + busy + " refused: the pool holds 4 and a short queue");
        assertEquals(ok, h.keycloak.tokenCalls.get(), "refused ones never reached Keycloak");
        assertEquals(0.0, breakerOpen(), "our pool being full is no Keycloak failure");
        h.keycloak.tokenDelayMs = 0;
        assertEquals(
                200, h.http.get("/p", creds("pool-9", TestSecrets.of("pool-9"))).status());
    }

    /** RFC 6749 §2.3.1: Basic carries the form-url-encoded ID and secret; Keycloak gets them decoded, encoded once. */
    @Test
    void basicCredentialsAreFormDecodedAndSentToKeycloakEncodedOnce() {
        bot("enc.bot~1");
        String secret = TestSecrets.of("enc.bot~1");
        String basic = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                ("enc%2Ebot%7E1:" + "%6B" + secret.substring(1)).getBytes(StandardCharsets.US_ASCII));
        h.keycloak.clientIdsSeen.clear();
        assertEquals(200, h.http.get("/b", "Authorization", basic).status());
        assertEquals(List.of("enc.bot~1"), h.keycloak.clientIdsSeen);
        Http.Response malformed = h.http.get(
                "/b",
                "Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("enc%2:" + secret).getBytes(StandardCharsets.US_ASCII)));
        assertEquals(400, malformed.status());
        assertEquals("malformed_basic_credentials", new JsonObject(malformed.body()).getString("reason"));
    }
}

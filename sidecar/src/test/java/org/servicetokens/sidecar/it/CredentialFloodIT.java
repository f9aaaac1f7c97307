package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.it.TokenApi;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * Junk credentials against the real Keycloak 26.7.3 (issue 11, kind 13), counted at Keycloak itself by its
 * CLIENT_LOGIN / CLIENT_LOGIN_ERROR events (the demo realm stores them) and by the sidecar's call metric: 1 500
 * malformed secrets cause no call at all; during a flood of well-formed wrong secrets the calls stay within the
 * configured rate and a real bot's first exchange succeeds.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
class CredentialFloodIT extends SidecarITBase {

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    CompletableFuture<HttpResponse<String>> get(SidecarProcess p, String id, String secret) {
        return http.sendAsync(
                HttpRequest.newBuilder(URI.create(p.url() + "/flood"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Accept", "application/json")
                        .header("KC-Access-Client-Id", id)
                        .header("KC-Access-Client-Secret", secret)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    int keycloakClientLogins() {
        return realm.admin()
                .getEvents(List.of("CLIENT_LOGIN", "CLIENT_LOGIN_ERROR"), null, null, null, null, null, 0, 100_000)
                .size();
    }

    @Test
    void malformedSecretsCostNothingAndARealBotGetsThroughAFloodOfWrongOnes() throws Exception {
        TokenApi api = tokenApi();
        JsonNode bot = api.create("flood survivor", null, "demo-app");
        try (RecordingUpstream upstream = new RecordingUpstream();
                SidecarProcess sidecar = startSidecar(upstream.url(), Map.of())) {
            // 1. 1 500 malformed secrets: no call at Keycloak.
            int eventsBefore = keycloakClientLogins();
            double callsBefore = sidecar.metric("sidecar_exchange_calls_total");
            String good = TestSecrets.random();
            Semaphore window = new Semaphore(32);
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                String junk = switch (i % 4) {
                    case 0 -> TestSecrets.withBadChecksum(TestSecrets.random());
                    case 1 -> "kcst_" + UUID.randomUUID();
                    case 2 -> good.substring(0, 20);
                    default -> UUID.randomUUID().toString();
                };
                window.acquire();
                replies.add(get(sidecar, "junk-" + i, junk).whenComplete((r, e) -> window.release()));
            }
            for (CompletableFuture<HttpResponse<String>> f : replies) {
                HttpResponse<String> r = f.get();
                assertEquals(401, r.statusCode(), r.body());
                assertTrue(r.body().contains("invalid_client_secret_format"), r.body());
            }
            int malformedEvents = keycloakClientLogins() - eventsBefore;
            double malformedCalls = sidecar.metric("sidecar_exchange_calls_total") - callsBefore;
            assertEquals(0, malformedEvents, "Keycloak saw no client login for any malformed secret");
            assertEquals(0.0, malformedCalls);
            System.out.println(
                    "1500 malformed secrets: all 401 invalid_client_secret_format; Keycloak CLIENT_LOGIN(_ERROR) events: "
                            + malformedEvents + "; sidecar calls to the token endpoint: " + (int) malformedCalls);

            // 2. A flood of well-formed wrong secrets (random client IDs), 16 at a time for 6 s; the bot's first
            // exchange at 2 s.
            int floodEventsBefore = keycloakClientLogins();
            AtomicBoolean flooding = new AtomicBoolean(true);
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            List<Thread> flood = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < 16; t++) {
                Thread thread = new Thread(() -> {
                    while (flooding.get()) {
                        try {
                            int status = get(sidecar, "junk-" + UUID.randomUUID(), TestSecrets.random())
                                    .get()
                                    .statusCode();
                            statuses.computeIfAbsent(status, s -> new AtomicInteger())
                                    .incrementAndGet();
                        } catch (Exception e) {
                            statuses.computeIfAbsent(-1, s -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    }
                });
                thread.start();
                flood.add(thread);
            }
            Thread.sleep(2000);
            long tb = System.nanoTime();
            HttpResponse<String> first = get(
                            sidecar,
                            bot.get("clientId").asText(),
                            bot.get("clientSecret").asText())
                    .get();
            long botMs = Duration.ofNanos(System.nanoTime() - tb).toMillis();
            Thread.sleep(4000);
            flooding.set(false);
            for (Thread thread : flood) {
                thread.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int floodEvents = keycloakClientLogins() - floodEventsBefore;
            int total = statuses.values().stream().mapToInt(AtomicInteger::get).sum();
            assertEquals(200, first.statusCode(), "the bot's first exchange during the flood: " + first.body());
            assertTrue(statuses.keySet().stream().allMatch(s -> s == 401 || s == 429), "flood answers: " + statuses);
            // Default bounds: a burst of 50, then 20 per second (plus the bot's own call).
            assertTrue(
                    floodEvents <= 50 + 20 * seconds + 1 + 5,
                    floodEvents + " client logins at Keycloak in " + seconds + " s");
            System.out.printf(
                    "Flood of %d well-formed wrong secrets in %.1f s (16 concurrent): %d client logins at Keycloak"
                            + " (bound: burst 50 + 20/s), answers %s; a real bot's first exchange during it: %d in %d ms%n",
                    total, seconds, floodEvents, statuses, first.statusCode(), botMs);
        }
    }
}

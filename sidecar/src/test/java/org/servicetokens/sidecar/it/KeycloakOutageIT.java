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
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.TokenApi;

/**
 * Issue 7: a Keycloak outage seen from the sidecar. The test framework owns the Keycloak process, so the outage is
 * made at the network level: the sidecar knows Keycloak only as a loopback {@link TcpForwarder}'s address. Keycloak
 * (start-dev, no fixed hostname) names itself after the request's Host, so with {@code keycloak.issuer} at the
 * forwarder the discovery, JWKS, token endpoint and the tokens' {@code iss} all go through it, and the bot's own JWT
 * is fetched through it too. Stopping the forwarder refuses new connections and cuts pooled ones, for 10 s, under a
 * bounded load; then it listens again. Then the forwarder freezes for 10 s: it accepts connections and carries no byte
 * either way, a hung Keycloak (as under SIGSTOP): new exchanges must get 503 + Retry-After in under 2 s before the
 * probe noticed and in under 1 s after, cached tokens 100 % 200, and exchanges resume within 5 s of the thaw.
 * Keycloak itself keeps running, which is the one way this differs from a real outage.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
class KeycloakOutageIT extends SidecarITBase {

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    HttpResponse<String> get(SidecarProcess p, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(p.url() + "/"))
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(15))
                .GET();
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> headersOf(JsonNode token) {
        return Map.of(
                "KC-Access-Client-Id",
                token.get("clientId").asText(),
                "KC-Access-Client-Secret",
                token.get("clientSecret").asText());
    }

    @Test
    void cachedTokensSurviveAnOutageNewExchangesFailFastAndServiceReturnsByItself() throws Exception {
        URI base = URI.create(urls.getBase());
        TokenApi api = tokenApi();
        JsonNode warm = api.create("warm bot", null, "demo-app");
        List<JsonNode> fresh = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fresh.add(api.create("fresh bot " + i, null, "demo-app"));
        }
        JsonNode recovery = api.create("recovery bot", null, "demo-app");
        List<JsonNode> frozen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            frozen.add(api.create("frozen bot " + i, null, "demo-app"));
        }
        try (TcpForwarder forwarder = new TcpForwarder(base.getPort());
                RecordingUpstream upstream = new RecordingUpstream()) {
            String issuer = "http://127.0.0.1:" + forwarder.port() + "/realms/" + realm.getName();
            String jwt = Http.clientCredentials(
                            issuer,
                            warm.get("clientId").asText(),
                            warm.get("clientSecret").asText())
                    .json()
                    .get("access_token")
                    .asText();
            assertEquals(issuer, Http.jwtPayload(jwt).get("iss").asText(), "Keycloak names itself after the forwarder");
            try (SidecarProcess sidecar = SidecarProcess.start(issuer, upstream.url(), Map.of())) {
                outage(forwarder, sidecar, warm, fresh, recovery, jwt);
                hang(forwarder, sidecar, warm, frozen, jwt);
            }
        }
    }

    private void outage(
            TcpForwarder forwarder,
            SidecarProcess sidecar,
            JsonNode warm,
            List<JsonNode> fresh,
            JsonNode recovery,
            String jwt)
            throws Exception {
        assertEquals(200, get(sidecar, headersOf(warm)).statusCode(), "exchanged before the outage");
        assertEquals(200, get(sidecar, Map.of("Authorization", "Bearer " + jwt)).statusCode());
        assertTrue(sidecar.readiness().contains("\"keycloak\":\"reachable\""), sidecar.readiness());

        forwarder.stop();
        long outageStart = System.nanoTime();
        int cached = 0;
        int refusedFast = 0;
        long slowest503 = 0;
        int round = 0;
        while (System.nanoTime() - outageStart < Duration.ofSeconds(10).toNanos()) {
            assertEquals(200, get(sidecar, headersOf(warm)).statusCode(), "already exchanged: still served");
            assertEquals(
                    200,
                    get(sidecar, Map.of("Authorization", "Bearer " + jwt)).statusCode(),
                    "valid JWT: still served");
            cached += 2;
            if (round++ % 10 == 0) {
                long t0 = System.nanoTime();
                HttpResponse<String> reply = get(sidecar, headersOf(fresh.get(round % fresh.size())));
                long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
                assertEquals(503, reply.statusCode(), "a new exchange while Keycloak is unreachable: " + reply.body());
                assertTrue(reply.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
                assertTrue(ms < 2_000, "503 within 2 s, took " + ms + " ms");
                slowest503 = Math.max(slowest503, ms);
                refusedFast++;
            }
            Thread.sleep(20);
        }
        String during = sidecar.readiness();
        assertTrue(
                during.contains("\"status\":\"UP\"") && during.contains("\"keycloak\":\"unreachable\""),
                "still ready (it serves cached tokens), Keycloak shown unreachable: " + during);
        assertEquals(0.0, sidecar.metric("sidecar_keycloak_reachable"));
        System.out.println("Outage of 10 s: " + cached + " requests with cached/valid tokens all 200; " + refusedFast
                + " new exchanges all 503 + Retry-After, slowest " + slowest503 + " ms");

        forwarder.start();
        long back = System.nanoTime();
        int status;
        do {
            Thread.sleep(100);
            status = get(sidecar, headersOf(recovery)).statusCode();
            assertTrue(status == 200 || status == 503, "only 503 while recovering, got " + status);
            assertTrue(
                    System.nanoTime() - back < Duration.ofSeconds(10).toNanos(), "new exchanges succeed within 10 s");
        } while (status != 200);
        long recoveredMs = Duration.ofNanos(System.nanoTime() - back).toMillis();
        System.out.println(
                "New exchanges succeed again " + recoveredMs + " ms after Keycloak is reachable (no restart)");
        for (JsonNode token : fresh) {
            assertEquals(200, get(sidecar, headersOf(token)).statusCode());
        }
        assertTrue(waitReachable(sidecar), sidecar.readiness());
    }

    private void hang(TcpForwarder forwarder, SidecarProcess sidecar, JsonNode warm, List<JsonNode> frozen, String jwt)
            throws Exception {
        assertEquals(200, get(sidecar, headersOf(warm)).statusCode());
        forwarder.freeze();
        long t0 = System.nanoTime();
        HttpResponse<String> first = get(sidecar, headersOf(frozen.get(0)));
        long beforeNoticedMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertEquals(503, first.statusCode(), "a new exchange while Keycloak hangs: " + first.body());
        assertTrue(first.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
        assertTrue(
                beforeNoticedMs < 2_000, "503 in under 2 s before the probe noticed, took " + beforeNoticedMs + " ms");
        int cached = 0;
        int refused = 0;
        long slowestAfter = 0;
        int round = 0;
        while (System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()) {
            assertEquals(200, get(sidecar, headersOf(warm)).statusCode(), "already exchanged: still served");
            assertEquals(
                    200,
                    get(sidecar, Map.of("Authorization", "Bearer " + jwt)).statusCode(),
                    "valid JWT: still served");
            cached += 2;
            if (round++ % 5 == 0) {
                long t1 = System.nanoTime();
                HttpResponse<String> reply = get(sidecar, headersOf(frozen.get(1 + round % (frozen.size() - 1))));
                long ms = Duration.ofNanos(System.nanoTime() - t1).toMillis();
                assertEquals(503, reply.statusCode(), reply.body());
                assertTrue(reply.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
                assertTrue(ms < 1_000, "503 in under 1 s once the probe noticed, took " + ms + " ms");
                slowestAfter = Math.max(slowestAfter, ms);
                refused++;
            }
            Thread.sleep(20);
        }
        assertTrue(sidecar.readiness().contains("\"keycloak\":\"unreachable\""), sidecar.readiness());
        forwarder.thaw();
        long back = System.nanoTime();
        int status;
        do {
            Thread.sleep(100);
            status = get(sidecar, headersOf(frozen.get(0))).statusCode();
            assertTrue(status == 200 || status == 503, "only 503 while recovering, got " + status);
            assertTrue(System.nanoTime() - back < Duration.ofSeconds(5).toNanos(), "new exchanges succeed within 5 s");
        } while (status != 200);
        long resumedMs = Duration.ofNanos(System.nanoTime() - back).toMillis();
        System.out.println("Keycloak frozen 10 s (accepts, never answers): first new exchange 503 + Retry-After after "
                + beforeNoticedMs + " ms (before the probe noticed); then " + refused + " new exchanges 503 in at most "
                + slowestAfter + " ms; " + cached + " requests with cached/valid tokens all 200; exchanges resumed "
                + resumedMs + " ms after the thaw");
    }

    private static boolean waitReachable(SidecarProcess sidecar) throws Exception {
        for (int i = 0; i < 50; i++) {
            if (sidecar.readiness().contains("\"keycloak\":\"reachable\"")) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}

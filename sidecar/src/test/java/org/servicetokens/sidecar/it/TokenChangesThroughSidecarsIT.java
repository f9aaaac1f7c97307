package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.TokenApi;

/**
 * Token changes as two clustered sidecar replicas see them, against the real Keycloak with the provider (Keycloak
 * pushes to replica A; the cluster carries everything to B): rotation under load cuts off exactly the old secret,
 * and adding, removing, disabling and enabling take effect within 5 s in both directions.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenChangesThroughSidecarsIT extends SidecarITBase {

    static final long FIVE_SECONDS_MS = 5_000;

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    RecordingUpstream upstream;
    SidecarCluster cluster;
    SidecarProcess a;
    SidecarProcess b;
    TokenApi api;

    @BeforeEach
    void startReplicasOnce() throws Exception {
        if (a != null) {
            return;
        }
        upstream = new RecordingUpstream();
        cluster = new SidecarCluster("token-changes-it", realm.getBaseUrl(), upstream.url());
        List<SidecarProcess> replicas = cluster.start(2);
        a = replicas.get(0);
        b = replicas.get(1);
        long deadline = System.currentTimeMillis() + 30_000;
        while ((a.metric("sidecar_cluster_members") < 2 || b.metric("sidecar_cluster_members") < 2)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(2.0, b.metric("sidecar_cluster_members"), "the replicas formed one cluster");
        pointBackchannelLogoutAt(a);
        if (realm.admin().clients().findByClientId("other-app").isEmpty()) {
            ClientRepresentation other = new ClientRepresentation();
            other.setClientId("other-app");
            other.setPublicClient(false);
            realm.admin().clients().create(other).close();
        }
        api = tokenApi();
    }

    @AfterAll
    void stopReplicas() {
        closeAll(cluster, upstream);
    }

    /**
     * Two bots call without pause, alternating replicas: one with the token's headers, one with a JWT it fetches
     * and refreshes itself. The token is rotated with a grace period, the bots move to the new secret, the grace
     * is ended early; then it is rotated again without grace. Nothing sent with the newest secret may fail; the old
     * secret (headers and its JWT) must be refused by both replicas within 5 s of each cut-off.
     */
    @Test
    void rotationUnderLoadCutsOffOnlyTheOldSecret() throws Exception {
        JsonNode created = api.create("rotating bot", null, "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String first = created.get("clientSecret").asText();
        Secrets secrets = new Secrets(first);
        String firstJwt = mint(clientId, first);
        AtomicBoolean stop = new AtomicBoolean();
        Bot headers = new Bot(
                "headers",
                stop,
                secrets,
                secret -> Map.of("KC-Access-Client-Id", clientId, "KC-Access-Client-Secret", secret));
        Bot jwt = new Bot("jwt", stop, secrets, new SelfRefreshingJwt(clientId));
        headers.start();
        jwt.start();
        try {
            Thread.sleep(1_500);
            String second = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT10M\"}")
                    .json()
                    .get("clientSecret")
                    .asText();
            secrets.use(second);
            Thread.sleep(2_000);
            assertEquals(
                    200,
                    status(a, Map.of("KC-Access-Client-Id", clientId, "KC-Access-Client-Secret", first)),
                    "in its grace");

            secrets.retire(first);
            long graceEnded = System.nanoTime();
            assertEquals(
                    200,
                    api.put("/" + id + "/previous-secret", "{\"expiresAt\":\"2000-01-01T00:00:00Z\"}")
                            .status());
            Map<String, Long> refused = refusedWithin(graceEnded, clientId, first, firstJwt);
            System.out.println("Grace ended early: old secret refused after " + refused + " ms");
            Thread.sleep(2_000);

            String secondJwt = mint(clientId, second);
            secrets.retire(second);
            long rotated = System.nanoTime();
            String third = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT0S\"}")
                    .json()
                    .get("clientSecret")
                    .asText();
            secrets.use(third);
            String freshJwt = mint(clientId, third);
            Map<String, Long> refusedAgain = refusedWithin(rotated, clientId, second, secondJwt);
            System.out.println("Rotated without grace: previous secret refused after " + refusedAgain + " ms");
            for (int i = 0; i < 20; i++) {
                for (SidecarProcess p : List.of(a, b)) {
                    assertEquals(
                            200,
                            status(p, Map.of("Authorization", "Bearer " + freshJwt)),
                            "a JWT fetched with the new secret right after the rotation works");
                }
            }
            Thread.sleep(2_000);
        } finally {
            stop.set(true);
            headers.join(10_000);
            jwt.join(10_000);
        }
        for (Bot bot : List.of(headers, jwt)) {
            System.out.println("Bot '" + bot.name + "': " + bot.counts());
            assertTrue(bot.sentWithCurrent.get() > 100, "the bot kept calling: " + bot.counts());
            assertEquals(
                    List.of(),
                    bot.failuresWithCurrent,
                    "no failure with a secret that was current throughout the request");
        }
    }

    /** Applications added or removed, the token disabled or enabled: each reaches both replicas within 5 s. */
    @Test
    void applicationAndStatusChangesReachBothReplicasWithinFiveSeconds() throws Exception {
        JsonNode created = api.create("changing bot", null, "other-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        Map<String, String> headers = Map.of(
                "KC-Access-Client-Id",
                clientId,
                "KC-Access-Client-Secret",
                created.get("clientSecret").asText());
        for (SidecarProcess p : List.of(a, b)) {
            assertEquals(403, status(p, headers), "not allowed for demo-app yet (and that exchange is now cached)");
        }
        Map<String, Long> times = new LinkedHashMap<>();

        times.putAll(until(
                () -> api.put("/" + id, "{\"applications\":[\"other-app\",\"demo-app\"]}"),
                new Probe("added: headers allowed", headers, 200)));
        Map<String, String> bearer = Map.of(
                "Authorization",
                "Bearer " + mint(clientId, created.get("clientSecret").asText()));
        assertEquals(200, status(a, bearer));
        times.putAll(until(
                () -> api.put("/" + id, "{\"applications\":[\"other-app\"]}"),
                new Probe("removed: headers refused", headers, 403),
                new Probe("removed: its JWT refused", bearer, 401)));
        times.putAll(until(
                () -> api.put("/" + id, "{\"applications\":[\"other-app\",\"demo-app\"]}"),
                new Probe("re-added: headers allowed", headers, 200)));
        times.putAll(until(
                () -> api.put("/" + id, "{\"enabled\":false}"), new Probe("disabled: headers refused", headers, 401)));
        times.putAll(until(
                () -> api.put("/" + id, "{\"enabled\":true}"), new Probe("enabled: headers allowed", headers, 200)));
        System.out.println("Change -> both replicas answer accordingly after (ms): " + times);
    }

    record Probe(String name, Map<String, String> headers, int expected) {}

    /** Makes the change, then polls both replicas until each probe gets its answer on each; per probe the slower time. */
    Map<String, Long> until(Runnable change, Probe... probes) throws Exception {
        long started = System.nanoTime();
        change.run();
        Map<String, Long> seen = new HashMap<>();
        while (seen.size() < 2 * probes.length) {
            for (SidecarProcess p : List.of(a, b)) {
                for (Probe probe : probes) {
                    String key = probe.name() + (p == a ? "|A" : "|B");
                    if (!seen.containsKey(key) && status(p, probe.headers()) == probe.expected()) {
                        seen.put(key, (System.nanoTime() - started) / 1_000_000);
                    }
                }
            }
            assertTrue(
                    (System.nanoTime() - started) / 1_000_000 < FIVE_SECONDS_MS,
                    "both replicas answer as expected within 5 s; so far " + seen);
            Thread.sleep(20);
        }
        Map<String, Long> slower = new LinkedHashMap<>();
        for (Probe probe : probes) {
            slower.put(probe.name(), Math.max(seen.get(probe.name() + "|A"), seen.get(probe.name() + "|B")));
        }
        return slower;
    }

    /** Polls both replicas with the old secret's headers and JWT until all four are refused; ms per probe. */
    Map<String, Long> refusedWithin(long sinceNanos, String clientId, String oldSecret, String oldJwt)
            throws Exception {
        Map<String, Map<String, String>> probes = Map.of(
                "headers", Map.of("KC-Access-Client-Id", clientId, "KC-Access-Client-Secret", oldSecret),
                "jwt", Map.of("Authorization", "Bearer " + oldJwt));
        Map<String, Long> refused = new LinkedHashMap<>();
        while (refused.size() < 4) {
            for (SidecarProcess p : List.of(a, b)) {
                for (var probe : probes.entrySet()) {
                    String name = (p == a ? "A " : "B ") + probe.getKey();
                    if (!refused.containsKey(name) && status(p, probe.getValue()) == 401) {
                        refused.put(name, (System.nanoTime() - sinceNanos) / 1_000_000);
                    }
                }
            }
            assertTrue(
                    (System.nanoTime() - sinceNanos) / 1_000_000 < FIVE_SECONDS_MS,
                    "the old secret is refused everywhere within 5 s; so far " + refused);
            Thread.sleep(10);
        }
        return refused;
    }

    int status(SidecarProcess p, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(p.url() + "/load"))
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(10))
                .GET();
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    String mint(String clientId, String secret) {
        Http.Reply reply = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(200, reply.status(), reply.printable());
        return reply.json().get("access_token").asText();
    }

    /**
     * Which secret the bots use, and since when each one counts as retired (from just before the admin call that
     * retires it): a request counts against "current" only if its secret was not being retired when it ended.
     */
    static final class Secrets {
        private final AtomicReference<String> current;
        private final Map<String, Long> retiringSince = new ConcurrentHashMap<>();

        Secrets(String first) {
            current = new AtomicReference<>(first);
        }

        String current() {
            return current.get();
        }

        void use(String secret) {
            current.set(secret);
        }

        void retire(String secret) {
            retiringSince.put(secret, System.nanoTime());
        }

        boolean retiredBy(String secret, long nanos) {
            Long since = retiringSince.get(secret);
            return since != null && since <= nanos;
        }
    }

    /** What a bot sends for a secret: the headers, or a JWT it fetched with that secret. */
    interface Credentials {
        Map<String, String> forSecret(String secret);
    }

    /** A bot that fetches its own JWT, re-fetching once a second and whenever its secret changes. */
    final class SelfRefreshingJwt implements Credentials {
        private final String clientId;
        private String secret;
        private String jwt;
        private long fetchedAt;

        SelfRefreshingJwt(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public Map<String, String> forSecret(String s) {
            if (!s.equals(secret) || System.nanoTime() - fetchedAt > 1_000_000_000L) {
                jwt = mint(clientId, s);
                secret = s;
                fetchedAt = System.nanoTime();
            }
            return Map.of("Authorization", "Bearer " + jwt);
        }
    }

    /** Calls the replicas in turn without pause and sorts each answer by whether its secret was current. */
    final class Bot extends Thread {
        final String name;
        final AtomicInteger sentWithCurrent = new AtomicInteger();
        final AtomicInteger sentWhileRetiring = new AtomicInteger();
        final AtomicInteger refusedWhileRetiring = new AtomicInteger();
        final List<String> failuresWithCurrent = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stop;
        private final Secrets secrets;
        private final Credentials credentials;

        Bot(String name, AtomicBoolean stop, Secrets secrets, Credentials credentials) {
            super("bot-" + name);
            this.name = name;
            this.stop = stop;
            this.secrets = secrets;
            this.credentials = credentials;
        }

        @Override
        public void run() {
            for (int i = 0; !stop.get(); i++) {
                String secret = secrets.current();
                SidecarProcess replica = i % 2 == 0 ? a : b;
                int status;
                try {
                    status = status(replica, credentials.forSecret(secret));
                } catch (IOException | InterruptedException | AssertionError e) {
                    status = -1;
                }
                if (secrets.retiredBy(secret, System.nanoTime())) {
                    sentWhileRetiring.incrementAndGet();
                    if (status != 200) {
                        refusedWhileRetiring.incrementAndGet();
                    }
                } else {
                    sentWithCurrent.incrementAndGet();
                    if (status != 200 && failuresWithCurrent.size() < 20) {
                        failuresWithCurrent.add((replica == a ? "A" : "B") + ":" + status);
                    }
                }
            }
        }

        String counts() {
            return sentWithCurrent.get() + " requests with a current secret (" + failuresWithCurrent.size()
                    + " failed), " + sentWhileRetiring.get() + " with a secret being retired ("
                    + refusedWhileRetiring.get() + " refused)";
        }
    }
}

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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.it.TokenApi;

/**
 * Issue 7: sidecar replicas as one. Two sidecar processes (the real jar, configured by env) form an encrypted
 * Infinispan cluster over JGroups TCP with static members on 127.0.0.1, in front of the real Keycloak 26.7.3 with
 * the provider. Keycloak pushes revocations to ONE replica (demo-app's back-channel logout URL points at A);
 * the cluster has to carry them to B. Extra replicas are started by the tests that need them.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusteredSidecarsIT extends SidecarITBase {

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    RecordingUpstream upstream;
    SidecarCluster cluster;
    String secret;
    SidecarProcess a;
    SidecarProcess b;
    TokenApi api;

    @BeforeEach
    void startReplicasOnce() throws Exception {
        if (a != null) {
            return;
        }
        upstream = new RecordingUpstream();
        cluster = new SidecarCluster("clustered-sidecars-it", realm.getBaseUrl(), upstream.url());
        secret = cluster.secret;
        List<SidecarProcess> replicas = cluster.start(2);
        a = replicas.get(0);
        b = replicas.get(1);
        awaitMembers(a, 2);
        awaitMembers(b, 2);
        pointBackchannelLogoutAt(a);
        api = tokenApi();
    }

    @AfterAll
    void stopReplicas() {
        if (cluster != null) {
            cluster.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** A late replica listing every member so far (see {@link SidecarCluster#replica}). */
    SidecarProcess replica(int clusterPort, String clusterSecret) throws IOException {
        return cluster.replica(clusterPort, clusterSecret);
    }

    void awaitMembers(SidecarProcess p, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (p.metric("sidecar_cluster_members") != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(expected, p.metric("sidecar_cluster_members"), "cluster members seen by " + p.url());
    }

    int status(SidecarProcess p, String path, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(p.url() + path))
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(10))
                .GET();
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    Map<String, String> headersOf(JsonNode token) {
        return Map.of(
                "KC-Access-Client-Id",
                token.get("clientId").asText(),
                "KC-Access-Client-Secret",
                token.get("clientSecret").asText());
    }

    long tokenRequests(String clientId) {
        return realm.admin()
                .getEvents(List.of("CLIENT_LOGIN"), clientId, null, null, null, null, 0, 100)
                .size();
    }

    double exchangeCalls() throws Exception {
        return a.metric("sidecar_exchange_calls_total") + b.metric("sidecar_exchange_calls_total");
    }

    @Test
    void tenThousandRequestsOverTwoReplicasCauseOneTokenRequest() throws Exception {
        JsonNode token = api.create("busy cluster bot", null, "demo-app");
        Map<String, String> headers = headersOf(token);
        double callsBefore = exchangeCalls();
        AtomicInteger notOk = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < 10_000; i = next.getAndIncrement()) {
                        if (status(i % 2 == 0 ? a : b, "/items/" + i, headers) != 200) {
                            notOk.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("10000 requests over 2 replicas in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        assertEquals(0, notOk.get(), "every request answered 200");
        assertEquals(1, tokenRequests(token.get("clientId").asText()), "Keycloak's CLIENT_LOGIN events for the token");
        assertEquals(1.0, exchangeCalls() - callsBefore, "the replicas' own count agrees");
    }

    @Test
    void deletingATokenLocksItOutOnBothReplicasWithinFiveSeconds() throws Exception {
        JsonNode doomed = api.create("doomed cluster bot", null, "demo-app");
        JsonNode fine = api.create("fine cluster bot", null, "demo-app");
        for (SidecarProcess p : List.of(a, b)) {
            assertEquals(200, status(p, "/", headersOf(doomed)));
            assertEquals(200, status(p, "/", headersOf(fine)));
        }
        double receivedBefore = b.metric("sidecar_cluster_revocations_received_total");

        long deleted = System.nanoTime();
        assertEquals(204, api.delete("/" + doomed.get("id").asText()).status());
        Map<SidecarProcess, Long> refusedAfter = new HashMap<>();
        while (refusedAfter.size() < 2) {
            for (SidecarProcess p : List.of(a, b)) {
                if (!refusedAfter.containsKey(p) && status(p, "/", headersOf(doomed)) == 401) {
                    refusedAfter.put(
                            p, Duration.ofNanos(System.nanoTime() - deleted).toMillis());
                }
            }
            assertTrue(
                    System.nanoTime() - deleted < Duration.ofSeconds(5).toNanos(),
                    "both replicas refuse within 5 s; so far " + refusedAfter.values());
            Thread.sleep(10);
        }
        System.out.println(
                "Deleted service token refused by replica A (which Keycloak told) after " + refusedAfter.get(a)
                        + " ms and by replica B (told by the cluster) after " + refusedAfter.get(b) + " ms");
        assertTrue(
                b.metric("sidecar_cluster_revocations_received_total") > receivedBefore, "B got it from the cluster");
        assertEquals(
                0.0,
                b.metric("sidecar_revocations_total", "outcome=\"accepted\""),
                "B never heard from Keycloak itself");
        for (SidecarProcess p : List.of(a, b)) {
            assertEquals(200, status(p, "/", headersOf(fine)), "other tokens keep working");
        }
    }

    @Test
    void killingAReplicaUnderLoadLeavesTheOtherServingEveryRequest() throws Exception {
        SidecarProcess c = replica(SidecarProcess.freeClusterPort(), secret);
        try {
            awaitMembers(a, 3);
            JsonNode token = api.create("steady cluster bot", null, "demo-app");
            Map<String, String> headers = headersOf(token);
            assertEquals(200, status(c, "/", headers), "exchanged on the replica about to die");
            AtomicBoolean killed = new AtomicBoolean();
            AtomicInteger servedBySurvivor = new AtomicInteger();
            List<String> survivorFailures = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> load = pool.submit(() -> {
                    for (int i = 0; i < 3_000; i++) {
                        int s = status(a, "/load/" + i, headers);
                        if (s == 200) {
                            servedBySurvivor.incrementAndGet();
                        } else {
                            synchronized (survivorFailures) {
                                survivorFailures.add(i + ":" + s + (killed.get() ? " (after kill)" : ""));
                            }
                        }
                        if (!killed.get()) {
                            try {
                                status(c, "/load/" + i, headers);
                            } catch (IOException dying) {
                                // the victim may go away mid-request
                            }
                        }
                    }
                    return null;
                });
                Thread.sleep(1_500);
                c.kill();
                killed.set(true);
                System.out.println("Killed replica C (SIGKILL) under load");
                load.get();
            } finally {
                pool.shutdownNow();
            }
            assertTrue(survivorFailures.isEmpty(), "the survivor answered every request: " + survivorFailures);
            assertEquals(3_000, servedBySurvivor.get());
            awaitMembers(a, 2);
            JsonNode fresh = api.create("after the kill bot", null, "demo-app");
            assertEquals(
                    200,
                    status(a, "/", headersOf(fresh)),
                    "a new exchange (cluster write) works after the view change");
            assertEquals(200, status(b, "/", headersOf(fresh)));
        } finally {
            c.close();
        }
    }

    @Test
    void aReplicaWithTheWrongSecretDoesNotJoinAndSeesNoCachedData() throws Exception {
        JsonNode token = api.create("known cluster bot", null, "demo-app");
        String clientId = token.get("clientId").asText();
        assertEquals(200, status(a, "/", headersOf(token)));
        assertEquals(200, status(b, "/", headersOf(token)));
        assertEquals(1, tokenRequests(clientId), "shared by A and B");

        SidecarProcess stranger = replica(SidecarProcess.freeClusterPort(), "wrong-" + UUID.randomUUID());
        try {
            assertEquals(1.0, stranger.metric("sidecar_cluster_members"), "alone");
            assertTrue(stranger.readiness().contains("\"clusterMembers\":1"), stranger.readiness());
            assertEquals(2.0, a.metric("sidecar_cluster_members"), "the cluster did not grow");
            assertEquals(200, status(stranger, "/", headersOf(token)));
            assertEquals(
                    1.0,
                    stranger.metric("sidecar_exchange_calls_total"),
                    "it found no cached token, so asked Keycloak");
            assertEquals(2, tokenRequests(clientId));
            assertTrue(!stranger.log().contains(secret), "the secret is never logged");
        } finally {
            stranger.close();
        }
    }
}

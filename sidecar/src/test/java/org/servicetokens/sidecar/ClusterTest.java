package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.ConfigLoader;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.LogoutTokens;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * Two (then three, then a stranger) sidecars in this JVM forming one Infinispan cluster over JGroups TCP on
 * loopback with static members and an encryption secret, in front of one fake realm.
 */
class ClusterTest {

    private static final String SECRET = "unit-test-cluster-secret-0123456789";

    static Harness a;
    static Node b;
    static int clusterPortA;
    static int clusterPortB;

    record Node(Sidecar sidecar, Http http, Http management) {
        void close() {
            Http.await(sidecar.close());
        }
    }

    @BeforeAll
    static void start() {
        clusterPortA = Harness.freePort();
        clusterPortB = Harness.freePort();
        a = new Harness(c -> clustered(c, clusterPortA, SECRET));
        b = node(clusterPortB, SECRET);
        awaitMembers(a.management(), 2);
        awaitMembers(b.management(), 2);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        a.close();
    }

    private static void clustered(SidecarConfig c, int port, String secret) {
        c.cluster.name = "unit-test-"
                + UUID.nameUUIDFromBytes(Integer.toString(clusterPortA).getBytes());
        c.cluster.bindAddress = "127.0.0.1";
        c.cluster.port = port;
        c.cluster.members = new ArrayList<>(List.of("127.0.0.1:" + clusterPortA, "127.0.0.1:" + clusterPortB));
        c.cluster.secret = secret;
    }

    /** Another replica: A's configuration with its own ports (and the given cluster port and secret). */
    private static Node node(int clusterPort, String secret) {
        SidecarConfig c =
                ConfigLoader.mapper().convertValue(ConfigLoader.mapper().valueToTree(a.config), SidecarConfig.class);
        c.listen.port = Harness.freePort();
        c.management.port = Harness.freePort();
        c.cluster.port = clusterPort;
        c.cluster.secret = secret;
        Sidecar s = Http.await(Sidecar.start(c));
        long deadline = System.currentTimeMillis() + 20_000;
        while (!s.ready() && System.currentTimeMillis() < deadline) {
            Harness.sleep(20);
        }
        assertTrue(s.ready(), "replica ready");
        return new Node(s, new Http(a.vertx, s.port()), new Http(a.vertx, s.managementPort()));
    }

    private static void awaitMembers(Http management, int members) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (Harness.metric(management, "sidecar_cluster_members") != members
                && System.currentTimeMillis() < deadline) {
            Harness.sleep(50);
        }
        assertEquals(members, Harness.metric(management, "sidecar_cluster_members"), "cluster members seen");
    }

    private static String[] creds(String id, String secret) {
        return new String[] {"KC-Access-Client-Id", id, "KC-Access-Client-Secret", secret};
    }

    private static void client(String id) {
        a.keycloak.clients.put(id, new FakeKeycloak.Client(TestSecrets.of(id), "sub-" + id, id, List.of("demo-app")));
    }

    private static String logoutToken(String sub) {
        return LogoutTokens.sign(a, LogoutTokens.claims(a, sub));
    }

    @Test
    void concurrentFirstRequestsOnBothReplicasCauseOneExchange() {
        client("race-bot");
        a.keycloak.tokenCalls.set(0);
        a.keycloak.tokenDelayMs = 300;
        try {
            List<Future<Http.Response>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Http target = i % 2 == 0 ? a.http : b.http();
                replies.add(target.sendAsync(
                        HttpMethod.GET, "/r/" + i, null, creds("race-bot", TestSecrets.of("race-bot"))));
            }
            for (Future<Http.Response> reply : replies) {
                assertEquals(200, Http.await(reply).status());
            }
        } finally {
            a.keycloak.tokenDelayMs = 0;
        }
        assertEquals(1, a.keycloak.tokenCalls.get(), "one client_credentials call for both replicas");
        assertTrue(Harness.metric(b.management(), "sidecar_exchange_cache_total") > 0);
    }

    @Test
    void aRevocationReceivedByOneReplicaIsHonouredByAllAndByALateJoiner() {
        client("doomed-bot");
        client("fine-bot");
        String[] doomed = creds("doomed-bot", TestSecrets.of("doomed-bot"));
        String[] fine = creds("fine-bot", TestSecrets.of("fine-bot"));
        assertEquals(200, a.http.get("/", doomed).status());
        assertEquals(200, b.http().get("/", doomed).status());
        assertEquals(200, b.http().get("/", fine).status());
        String oldJwt = a.keycloak.token(
                a.keycloak.claims("sub-doomed-bot").put("iat", System.currentTimeMillis() / 1000 - 10));
        // Verified and found not revoked on both replicas first: each remembers that until a revocation arrives.
        assertEquals(200, a.http.get("/", "Authorization", "Bearer " + oldJwt).status());
        assertEquals(200, b.http().get("/", "Authorization", "Bearer " + oldJwt).status());
        double receivedBefore = Harness.metric(b.management(), "sidecar_cluster_revocations_received_total");

        // Keycloak pushes to ONE replica (the app's back-channel logout URL): A.
        a.keycloak.clients.remove("doomed-bot");
        assertEquals(200, LogoutTokens.post(a, logoutToken("sub-doomed-bot")).status());

        assertEquals(401, b.http().get("/", doomed).status(), "B never heard from Keycloak, yet refuses");
        assertEquals(
                401, b.http().get("/", "Authorization", "Bearer " + oldJwt).status(), "and the subject's older JWTs");
        assertEquals(401, a.http.get("/", doomed).status());
        assertEquals(200, b.http().get("/", fine).status(), "other tokens keep working");
        assertTrue(Harness.metric(b.management(), "sidecar_cluster_revocations_received_total") > receivedBefore);

        Node late = node(Harness.freePort(), SECRET);
        try {
            awaitMembers(a.management(), 3);
            assertEquals(
                    401,
                    late.http().get("/", "Authorization", "Bearer " + oldJwt).status(),
                    "a replica that joined after the revocation has it (state transfer)");
            int calls = a.keycloak.tokenCalls.get();
            assertEquals(200, late.http().get("/", fine).status());
            assertEquals(calls, a.keycloak.tokenCalls.get(), "and the cached exchanges");
        } finally {
            late.close();
        }
        awaitMembers(a.management(), 2);
    }

    @Test
    void aNodeWithAnotherSecretDoesNotJoinAndSeesNoCachedData() {
        client("shared-bot");
        String[] shared = creds("shared-bot", TestSecrets.of("shared-bot"));
        assertEquals(200, a.http.get("/", shared).status());
        int calls = a.keycloak.tokenCalls.get();
        assertEquals(200, b.http().get("/", shared).status());
        assertEquals(calls, a.keycloak.tokenCalls.get(), "B uses A's exchange");

        // Another secret, and none at all (allowed on loopback): neither joins nor reads.
        for (String strangersSecret : List.of("a-different-secret-9876543210", "")) {
            int before = a.keycloak.tokenCalls.get();
            Node stranger = node(Harness.freePort(), strangersSecret);
            try {
                assertEquals(1.0, Harness.metric(stranger.management(), "sidecar_cluster_members"), "alone");
                assertEquals(
                        2.0, Harness.metric(a.management(), "sidecar_cluster_members"), "the cluster did not grow");
                assertEquals(200, stranger.http().get("/", shared).status());
                assertEquals(
                        before + 1,
                        a.keycloak.tokenCalls.get(),
                        "the stranger had to ask Keycloak: it saw no cached token");
            } finally {
                stranger.close();
            }
        }
    }
}

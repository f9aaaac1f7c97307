package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.ConfigLoader;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.LogoutTokens;

/**
 * Browser sessions across two clustered replicas in this JVM (the sessions cache is replicated like every other
 * one): a login started on one replica finishes on the other, either serves the session, and a logout or a
 * back-channel logout received by one ends the session on both; a subject's session cap counts the logins made
 * on both replicas.
 */
class ClusteredSessionTest {

    static Harness a;
    static Sidecar b;
    static Http httpB;
    static int clusterPortA;
    static int clusterPortB;

    @BeforeAll
    static void start() {
        clusterPortA = Harness.freePort();
        clusterPortB = Harness.freePort();
        a = new Harness(c -> {
            c.app.clientSecret = "demo-app-secret";
            c.cluster.name = "sessions-" + UUID.randomUUID();
            c.cluster.bindAddress = "127.0.0.1";
            c.cluster.port = clusterPortA;
            c.cluster.members = new ArrayList<>(List.of("127.0.0.1:" + clusterPortA, "127.0.0.1:" + clusterPortB));
            c.cluster.secret = "unit-test-session-cluster-secret-01";
            c.sessions.maxPerSubject = 3;
        });
        SidecarConfig c =
                ConfigLoader.mapper().convertValue(ConfigLoader.mapper().valueToTree(a.config), SidecarConfig.class);
        c.listen.port = Harness.freePort();
        c.management.port = Harness.freePort();
        c.cluster.port = clusterPortB;
        b = Http.await(Sidecar.start(c));
        long deadline = System.currentTimeMillis() + 20_000;
        while ((!b.ready() || !a.sidecar.ready()) && System.currentTimeMillis() < deadline) {
            Harness.sleep(20);
        }
        assertTrue(b.ready(), "replica B ready");
        httpB = new Http(a.vertx, b.port());
        // Wait for the view to contain both before relying on replication.
        String metrics = "";
        while (System.currentTimeMillis() < deadline
                && !(metrics = a.management().get("/metrics").body()).contains("sidecar_cluster_members 2.0")) {
            Harness.sleep(50);
        }
        assertTrue(metrics.contains("sidecar_cluster_members 2.0"), "both replicas in one cluster");
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            Http.await(b.close());
        }
        a.close();
    }

    /** Starts on A, finishes the callback on B; returns the session cookie. */
    private static String logInAcrossReplicas(String sub, String sid) {
        return logIn(sub, sid, httpB);
    }

    /** Starts on A, finishes the callback on {@code callbackOn}; returns the session cookie. */
    private static String logIn(String sub, String sid, Http callbackOn) {
        Http.Response start = a.http.get("/page", "Accept", "text/html");
        assertEquals(302, start.status());
        Map<String, String> p = new HashMap<>();
        for (String pair : URI.create(start.header("Location")).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            p.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String loginCookie = start.headers().getAll("Set-Cookie").get(0).split(";")[0];
        String code = a.keycloak.issueCode(sub, sid, p.get("code_challenge"), p.get("nonce"), p.get("redirect_uri"));
        Http.Response callback = callbackOn.get(
                "/.sidecar/callback?code=" + code + "&state=" + p.get("state"),
                "Accept",
                "application/json",
                "Cookie",
                loginCookie);
        assertEquals(302, callback.status(), callback.body());
        // The login cookie is cleared in the same answer: pick the session cookie by name.
        return callback.headers().getAll("Set-Cookie").stream()
                .filter(c -> c.startsWith("__Host-sidecar="))
                .findFirst()
                .orElseThrow()
                .split(";")[0];
    }

    @Test
    void eitherReplicaServesASessionTheOtherCreated() {
        String session = logInAcrossReplicas("user-c", "sid-c");
        Http.Response onA = a.http.get("/x", "Accept", "application/json", "Cookie", session);
        assertEquals(200, onA.status(), onA.body());
        assertEquals("user-c", a.upstream.last().headers().get("X-Auth-Subject"));
        assertEquals(
                200,
                httpB.get("/x", "Accept", "application/json", "Cookie", session).status());
    }

    @Test
    void aLogoutOnOneReplicaEndsTheSessionOnTheOther() {
        String session = logInAcrossReplicas("user-l", "sid-l");
        Http.Response page = httpB.get("/.sidecar/logout", "Cookie", session);
        String csrf = page.body().replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        Http.Response out = httpB.send(
                HttpMethod.POST,
                "/.sidecar/logout",
                Buffer.buffer("csrf=" + csrf),
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Cookie",
                session);
        assertEquals(302, out.status(), out.body());
        assertEquals(
                401,
                a.http.get("/x", "Accept", "application/json", "Cookie", session)
                        .status());
    }

    @Test
    void keycloaksBackChannelLogoutReceivedByOneReplicaEndsTheSessionOnBoth() {
        String session = logInAcrossReplicas("user-k", "sid-k");
        assertEquals(
                200,
                httpB.get("/x", "Accept", "application/json", "Cookie", session).status());
        String token = LogoutTokens.sign(a, LogoutTokens.claims(a, null).put("sid", "sid-k"));
        Http.Response pushed = LogoutTokens.post(a, token);
        assertEquals(200, pushed.status(), pushed.body());
        Http.Response onB = httpB.get("/x", "Accept", "application/json", "Cookie", session);
        assertEquals(401, onB.status());
        assertEquals("session_revoked", new JsonObject(onB.body()).getString("reason"));
    }

    @Test
    void theSessionCapCountsLoginsOnBothReplicasAndEndsTheOldestEverywhere() {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sessions.add(logIn("user-cap", "sid-cap-" + i, i % 2 == 0 ? a.http : httpB));
        }
        for (int i = 0; i < sessions.size(); i++) {
            int expected = i < 3 ? 401 : 200;
            assertEquals(
                    expected,
                    a.http.get("/x", "Accept", "application/json", "Cookie", sessions.get(i))
                            .status(),
                    "session " + i + " on A");
            assertEquals(
                    expected,
                    httpB.get("/x", "Accept", "application/json", "Cookie", sessions.get(i))
                            .status(),
                    "session " + i + " on B");
        }
    }
}

package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.pipeline.AccessLog;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.LogCapture;

/** The management port and the access log (which must never hold a token or a secret). */
class ManagementAndAccessLogTest {

    private static final String SECRET = Harness.BOT_SECRET;

    @RegisterExtension
    static final Harness h = new Harness();

    @Test
    void healthReadyAndMetrics() {
        Http m = h.management();
        assertEquals(200, m.get("/health").status());
        Http.Response ready = m.get("/ready");
        assertEquals(200, ready.status());
        assertEquals("loaded", new JsonObject(ready.body()).getString("jwks"));

        String[] creds = {"KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET};
        h.http.get("/m1", creds);
        h.http.get("/m2", creds);
        h.http.get("/m3", "Authorization", "Bearer " + h.validToken());
        h.http.get("/m4");
        h.http.get("/public/..%2fx");
        String metrics = m.get("/metrics").body();
        for (String expected : List.of(
                "sidecar_requests_total{decision=\"allow\",reason=\"headers\"}",
                "sidecar_requests_total{decision=\"allow\",reason=\"bearer\"}",
                "sidecar_requests_total{decision=\"deny\",reason=\"no_credentials\"}",
                "sidecar_requests_total{decision=\"deny\",reason=\"ambiguous_encoding\"}",
                "sidecar_exchange_calls_total{outcome=\"success\"}",
                "sidecar_exchange_cache_total{result=\"hit\"}",
                "sidecar_exchange_cache_total{result=\"miss\"}",
                "sidecar_jwks_refreshes_total{outcome=\"success\"}",
                "sidecar_upstream_duration_seconds_bucket",
                "sidecar_jwks_loaded 1.0",
                "jvm_memory_used_bytes")) {
            assertTrue(metrics.contains(expected), "metrics lack " + expected);
        }
        assertFalse(metrics.contains(SECRET));
        // Vert.x's per-request HTTP meters are off on purpose (hot-path cost); ours count and time every request.
        assertFalse(metrics.contains("vertx_http_server_requests_total"));
        assertEquals(404, m.get("/nothing").status());
    }

    @Test
    void accessLogHasOneJsonLinePerRequestAndNoSecret() {
        String token = h.validToken();
        String basic = Base64.getEncoder().encodeToString(("ci-bot:" + SECRET).getBytes());
        try (LogCapture access = new LogCapture(AccessLog.LOGGER);
                LogCapture all = new LogCapture("org.servicetokens")) {
            h.http.get("/l1", "Authorization", "Bearer " + token);
            h.http.get("/l2?access_token=" + token, "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET);
            h.http.get("/l3", "Authorization", "Basic " + basic);
            h.http.get("/l4", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET + "-wrong");
            h.http.get("/l5", "Authorization", "Bearer " + token + "x");
            h.http.get("/api/admin/x", "Authorization", "Bearer " + token);
            // The sidecar's own endpoints go through its router, the rest straight to the pipeline: both log once.
            h.http.get("/.sidecar/identity", "Authorization", "Bearer " + token);
            h.http.get("/.sidecar/nothing-here");
            long deadline = System.currentTimeMillis() + 5000;
            while (access.lines.size() < 8 && System.currentTimeMillis() < deadline) {
                Harness.sleep(10);
            }
            Harness.sleep(200);
            assertEquals(8, access.lines.size(), String.join("\n", access.lines));
            assertEquals("identity", new JsonObject(access.lines.get(6)).getString("reason"));
            assertEquals("/.sidecar/identity", new JsonObject(access.lines.get(6)).getString("path"));
            assertEquals("unknown_endpoint", new JsonObject(access.lines.get(7)).getString("reason"));
            JsonObject first = new JsonObject(access.lines.get(0));
            for (String field : List.of(
                    "time",
                    "method",
                    "path",
                    "status",
                    "decision",
                    "reason",
                    "subject",
                    "client_id",
                    "token_name",
                    "latency_ms")) {
                assertTrue(first.containsKey(field), "access log lacks " + field);
            }
            assertEquals("/l1", first.getString("path"));
            assertEquals(200, first.getInteger("status"));
            assertEquals("user-1", first.getString("subject"));
            JsonObject service = new JsonObject(access.lines.get(1));
            assertEquals("ci deployer", service.getString("token_name"));
            assertEquals("ci-bot", service.getString("client_id"));
            assertEquals("/l2", service.getString("path"), "no query string in the log");
            JsonObject forbidden = new JsonObject(access.lines.get(5));
            assertEquals(403, forbidden.getInteger("status"));
            assertEquals("policy", forbidden.getString("reason"));
            String everything = all.all();
            String payload = token.split("\\.")[1];
            assertFalse(everything.contains(SECRET), "a secret reached the logs");
            assertFalse(everything.contains(basic), "a Basic credential reached the logs");
            assertFalse(everything.contains(payload), "a token reached the logs");
            assertFalse(everything.contains("eyJ"), "something token-like reached the logs");
        }
    }

    @Test
    void readyReflectsMissingKeys() {
        try (Harness cold = new Harness(
                k -> k.jwksOverride = new JsonObject().put("keys", new io.vertx.core.json.JsonArray()),
                c -> {},
                false)) {
            Http.Response r = cold.management().get("/ready");
            assertEquals(503, r.status());
            assertEquals("missing", new JsonObject(r.body()).getString("jwks"));
            assertEquals(200, cold.management().get("/health").status());
            assertNotNull(cold.management().get("/metrics").body());
        }
    }
}

package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestKey;
import org.servicetokens.sidecar.support.TestUpstream;

/** The upstream side: WebSockets, streaming bodies, upstream failures. */
class ProxyTest {

    private static final long HUNDRED_MB = 100L * 1024 * 1024;

    @RegisterExtension
    static final Harness h = new Harness().resettingUpstream();

    private WebSocketConnectOptions ws(String uri) {
        return new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(h.sidecar.port())
                .setURI(uri);
    }

    @Test
    void webSocketUpgradeGetsIdentityHeadersAndLosesSpoofs() {
        // vertx-http-proxy: interceptors without the WebSocket flag are skipped on upgrades; ours run before the proxy.
        WebSocketClient client = h.vertx.createWebSocketClient();
        String token = h.validToken();
        WebSocket socket = Http.await(client.connect(ws("/ws")
                .addHeader("Authorization", "Bearer " + token)
                .addHeader("X-Auth-Subject", "root")
                .addHeader("X_Auth_Roles", "admin")
                .addHeader("X-Forwarded-User", "root")));
        Promise<String> reply = Promise.promise();
        socket.textMessageHandler(reply::tryComplete);
        socket.writeTextMessage("hi");
        assertEquals("echo:hi", Http.await(reply.future()));
        TestUpstream.Seen seen = h.upstream.last();
        assertTrue(seen.webSocket());
        assertEquals("user-1", seen.headers().get("X-Auth-Subject"));
        assertEquals("user", seen.headers().get("X-Auth-Roles"));
        assertTrue(
                token.equals(seen.headers().get("X-Access-Jwt-Assertion")),
                "the assertion header carries the verified token");
        assertNull(seen.headers().get("X_Auth_Roles"));
        assertNull(seen.headers().get("X-Forwarded-User"));
        assertNull(seen.headers().get("Authorization"));
        Http.await(socket.close());
        Http.await(client.close());
    }

    @Test
    void webSocketWithoutCredentialsIsRefused() {
        WebSocketClient client = h.vertx.createWebSocketClient();
        Throwable err = Http.await(client.connect(ws("/ws").addHeader("X-Auth-Subject", "root"))
                .<Throwable>map(s -> null)
                .otherwise(e -> e));
        assertInstanceOf(UpgradeRejectedException.class, err);
        assertEquals(401, ((UpgradeRejectedException) err).getStatus());
        assertEquals(0, h.upstream.hits.get());
        Http.await(client.close());
    }

    @Test
    void hundredMegabyteUploadStreams() {
        HttpClient client = h.vertx.createHttpClient();
        String token = h.validToken();
        Future<String> result = client.request(new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost("127.0.0.1")
                        .setPort(h.sidecar.port())
                        .setURI("/upload"))
                .compose(req -> {
                    req.putHeader("Authorization", "Bearer " + token)
                            .putHeader("Content-Length", Long.toString(HUNDRED_MB));
                    Future<String> body = req.response().compose(r -> r.body()).map(Buffer::toString);
                    pump(req, HUNDRED_MB);
                    return body;
                });
        assertEquals(HUNDRED_MB, new JsonObject(Http.await(result)).getLong("bytes"));
        Http.await(client.close());
    }

    @Test
    void hundredMegabyteDownloadStreams() {
        HttpClient client = h.vertx.createHttpClient();
        AtomicLong received = new AtomicLong();
        Future<Integer> status = client.request(new RequestOptions()
                        .setHost("127.0.0.1")
                        .setPort(h.sidecar.port())
                        .setURI("/download?bytes=" + HUNDRED_MB))
                .compose(req -> {
                    req.putHeader("Authorization", "Bearer " + h.validToken());
                    return req.send();
                })
                .compose(resp -> {
                    resp.handler(b -> received.addAndGet(b.length()));
                    return resp.end().map(v -> resp.statusCode());
                });
        assertEquals(200, Http.await(status));
        assertEquals(HUNDRED_MB, received.get());
        Http.await(client.close());
    }

    @Test
    void bodySurvivesAnUnknownKidRefetch() {
        // Pause/resume on the JWT path: the JWKS refetch is asynchronous and the body must wait for it.
        TestKey k = TestKey.ec("late-key");
        h.keycloak.published.add(k);
        Http.Response r = h.http.send(
                HttpMethod.PUT,
                "/echo",
                Buffer.buffer("x".repeat(300_000)),
                "Authorization",
                "Bearer " + k.sign(h.keycloak.claims("u")));
        assertEquals(200, r.status(), r.body());
        assertEquals(300_000, new JsonObject(r.body()).getInteger("bodyLength"));
    }

    @Test
    void slowUpstreamGives504Json() {
        long t0 = System.nanoTime();
        Http.Response r = h.http.get("/slow", "Authorization", "Bearer " + h.validToken());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(504, r.status());
        assertEquals("upstream_timeout", new JsonObject(r.body()).getString("error"));
        assertTrue(ms >= 1900 && ms < 5000, "after the configured 2 s, took " + ms);
    }

    @Test
    void upstreamDownGives502Json() {
        try (Harness down = new Harness(c -> c.upstream.url = "http://127.0.0.1:" + Harness.freePort())) {
            Http.Response r = down.http.get("/x", "Authorization", "Bearer " + down.validToken());
            assertEquals(502, r.status());
            assertEquals("application/json", r.header("Content-Type"));
            assertEquals("upstream_unavailable", new JsonObject(r.body()).getString("error"));
            assertFalse(r.body().contains("eyJ"));
        }
    }

    @Test
    void expectContinueUploadsWork() {
        Http.Response r = h.http.send(
                HttpMethod.POST,
                "/echo",
                Buffer.buffer("abc"),
                "Authorization",
                "Bearer " + h.validToken(),
                "Expect",
                "100-continue");
        assertTrue(r.status() == 200 || r.status() == 417, "status " + r.status());
    }

    /** Writes {@code total} zero bytes with back-pressure, generated on the fly (never held in memory). */
    private static void pump(HttpClientRequest req, long total) {
        Buffer chunk = Buffer.buffer(new byte[256 * 1024]);
        long[] sent = {0};
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            while (sent[0] < total && !req.writeQueueFull()) {
                int n = (int) Math.min(chunk.length(), total - sent[0]);
                req.write(n == chunk.length() ? chunk : chunk.slice(0, n));
                sent[0] += n;
            }
            if (sent[0] >= total) {
                req.end();
            } else {
                req.drainHandler(v -> step[0].run());
            }
        };
        step[0].run();
    }
}

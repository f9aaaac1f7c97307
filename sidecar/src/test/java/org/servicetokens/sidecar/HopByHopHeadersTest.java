package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.RawHttp;
import org.servicetokens.sidecar.support.TestUpstream;

/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1) are for the sidecar alone: neither the fixed ones (Connection,
 * Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade when not a WebSocket upgrade, HTTP2-Settings) nor those a
 * {@code Connection} option names reach the app, on plain requests and WebSocket upgrades alike. A
 * {@code Connection} option naming the sidecar's own headers removes nothing the sidecar adds, and cannot undo
 * the framing or the authentication. The app's hop-by-hop fields do not reach the client either.
 */
class HopByHopHeadersTest {

    static final List<String> FIXED =
            List.of("Keep-Alive", "Proxy-Connection", "TE", "Trailer", "HTTP2-Settings", "Upgrade", "Connection");

    @RegisterExtension
    static final Harness h = new Harness().resettingUpstream();

    static String token;

    @BeforeAll
    static void start() {
        token = h.validToken();
    }

    private static RawHttp.Answer get(String path, String... headerLines) {
        StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : headerLines) {
            sb.append(line).append("\r\n");
        }
        return RawHttp.exchange(h.sidecar.port(), sb.append("\r\n").toString());
    }

    private static void noneReachedTheApp(String label, List<String> names) {
        TestUpstream.Seen seen = h.upstream.last();
        assertNotNull(seen, label + ": the request was forwarded");
        for (String name : names) {
            assertFalse(seen.headers().contains(name), label + ": " + name + " reached the app: " + seen.headers());
        }
    }

    @TestFactory
    Stream<DynamicTest> fixedHopByHopHeadersNeverReachTheApp() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String path : List.of("/public/x", "/x")) {
            tests.add(DynamicTest.dynamicTest(path, () -> {
                h.upstream.reset();
                RawHttp.Answer a = get(
                        path,
                        "Authorization: Bearer " + token,
                        "Connection: keep-alive, Upgrade, HTTP2-Settings, TE",
                        "Keep-Alive: timeout=5",
                        "Proxy-Connection: keep-alive",
                        "TE: trailers, gzip",
                        "Trailer: X-Checksum",
                        "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
                        "Upgrade: h2c");
                assertEquals(200, a.status(), a.body());
                noneReachedTheApp(path, FIXED);
            }));
        }
        for (String te : List.of("trailers", "gzip", "chunked")) {
            tests.add(DynamicTest.dynamicTest("TE: " + te, () -> {
                h.upstream.reset();
                assertEquals(200, get("/public/x", "TE: " + te).status());
                noneReachedTheApp("TE: " + te, List.of("TE"));
            }));
        }
        for (String spelling : List.of("keep_alive", "PROXY-CONNECTION", "Proxy_Connection", "http2_settings", "te")) {
            tests.add(DynamicTest.dynamicTest(spelling, () -> {
                h.upstream.reset();
                assertEquals(200, get("/public/x", spelling + ": x").status());
                noneReachedTheApp(spelling, List.of(spelling));
            }));
        }
        return tests.stream();
    }

    @Test
    void headersNamedByConnectionOptionsNeverReachTheApp() {
        RawHttp.Answer a = get(
                "/x",
                "Authorization: Bearer " + token,
                "Connection: X-Secret-Debug, x-internal ,Cookie",
                "Connection: X-Other",
                "X-Secret-Debug: 1",
                "X-Internal: 1",
                "X-Other: 1",
                "Cookie: a=b",
                "X-Kept: 1");
        assertEquals(200, a.status(), a.body());
        noneReachedTheApp("nominated", List.of("X-Secret-Debug", "X-Internal", "X-Other", "Cookie", "Connection"));
        assertEquals("1", h.upstream.last().headers().get("X-Kept"));
    }

    /** The trick of nominating the proxy's own headers (hop-by-hop abuse): nothing the sidecar adds goes missing. */
    @Test
    void connectionOptionsCannotRemoveWhatTheSidecarAdds() {
        String nominated =
                "Connection: X-Auth-Subject, X-Auth-Type, X-Auth-Username, X-Auth-Roles, X-Access-Jwt-Assertion, "
                        + "X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, Authorization, Host, Content-Length, Transfer-Encoding";
        RawHttp.Answer a = get("/x", "Authorization: Bearer " + token, nominated);
        assertEquals(200, a.status(), "still authenticated: " + a.body());
        TestUpstream.Seen seen = h.upstream.last();
        assertEquals("user-1", seen.headers().get("X-Auth-Subject"));
        assertEquals("user", seen.headers().get("X-Auth-Type"));
        assertEquals(token, seen.headers().get("X-Access-Jwt-Assertion"));
        assertEquals("127.0.0.1", seen.headers().get("X-Forwarded-For"));
        assertEquals("localhost", seen.headers().get("X-Forwarded-Host"));
        assertEquals("http", seen.headers().get("X-Forwarded-Proto"));
        assertNotNull(seen.headers().get("Host"));
        assertNull(seen.headers().get("Authorization"), "the credential is never forwarded");
        assertNull(seen.headers().get("Connection"));

        h.upstream.reset();
        RawHttp.Answer anonymous = get("/x", "Connection: Authorization", "X-Auth-Subject: root");
        assertEquals(401, anonymous.status(), "no credential, no way in");
        assertEquals(0, h.upstream.hits.get());

        h.upstream.reset();
        RawHttp.Answer framed = RawHttp.exchange(
                h.sidecar.port(),
                "POST /public/x HTTP/1.1\r\nHost: localhost\r\n"
                        + "Connection: Content-Length, Host\r\nContent-Length: 5\r\n\r\nhello");
        assertEquals(200, framed.status(), framed.body());
        assertEquals(5, new JsonObject(framed.body()).getInteger("bodyLength"), "the body still arrives whole");
    }

    @Test
    void hopByHopHeadersNeverReachTheAppOnAWebSocketUpgrade() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n"
                    + "Connection: Upgrade, X-Nominated, X-Auth-Subject\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Nominated: 1\r\nKeep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-Checksum\r\n"
                    + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            RawHttp.Answer a = c.read();
            assertEquals(101, a.status(), "the upgrade still works: " + a.body());
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while (h.upstream.last() == null && System.currentTimeMillis() < deadline) {
            Harness.sleep(10);
        }
        TestUpstream.Seen seen = h.upstream.last();
        assertTrue(seen.webSocket());
        for (String name :
                List.of("X-Nominated", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "HTTP2-Settings")) {
            assertFalse(seen.headers().contains(name), name + " reached the app on the upgrade: " + seen.headers());
        }
        assertEquals("user-1", seen.headers().get("X-Auth-Subject"), "a nomination removes nothing the sidecar adds");
    }

    /** The app's Connection: close is about its own connection to the sidecar: the client's stays open. */
    @Test
    void theAppsHopByHopHeadersDoNotReachTheClient() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            // Content on a GET makes the sidecar ask the app to close its connection; the app answers "Connection:
            // close".
            c.send("GET /public/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n\r\nx");
            RawHttp.Answer a = c.read();
            assertEquals(200, a.status());
            assertEquals(
                    "close", new JsonObject(a.body()).getJsonObject("headers").getString("connection"));
            for (Map.Entry<String, String> e : a.headers()) {
                assertFalse(
                        List.of("connection", "keep-alive", "upgrade", "proxy-connection")
                                .contains(e.getKey().toLowerCase()),
                        "the app's " + e.getKey() + " reached the client");
            }
            c.send("GET /public/y HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, c.read().status(), "the client's connection is still open");
        }
    }
}

package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.RawHttp;
import org.servicetokens.sidecar.support.TestUpstream;

/**
 * The request line and the header block, sent as raw bytes: the method the policy judges is the method the app
 * runs, the path it judges is the path the app serves, the Host is one and valid, routing-override headers never
 * reach the app, and header values cannot split the request to the app. Every refusal is a 4xx with its reason,
 * and the upstream never sees the request. Each case is sent with a valid token, so only the check under test
 * can refuse it.
 */
class RequestLineTest {

    static final String POLICY = """
      - {path: /public/**, allow: public}
      - {path: /admin/**, methods: [DELETE], allow: {roles: [admin]}}
      - {path: /reports/**, methods: [GET], allow: {roles: [reader]}}
      - {path: /secret/**, allow: {roles: [admin]}}
      - {path: /**, allow: authenticated}
      """;

    @RegisterExtension
    static final Harness h = new Harness(c -> c.policy.rules = Harness.rules(POLICY)).resettingUpstream();

    static String token;

    @BeforeAll
    static void start() {
        token = h.validToken();
    }

    private static RawHttp.Answer raw(String requestLine, String... headerLines) {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\n");
        for (String line : headerLines) {
            sb.append(line).append("\r\n");
        }
        sb.append("Authorization: Bearer ").append(token).append("\r\n\r\n");
        return RawHttp.exchange(h.sidecar.port(), sb.toString());
    }

    private static RawHttp.Answer get(String target) {
        return raw("GET " + target + " HTTP/1.1", "Host: localhost");
    }

    private static DynamicTest refused(
            String name, int status, String reason, java.util.function.Supplier<RawHttp.Answer> send) {
        return DynamicTest.dynamicTest(name, () -> {
            h.upstream.reset();
            RawHttp.Answer a = send.get();
            assertEquals(status, a.status(), name + ": " + a.body());
            assertEquals(reason, a.reason(), name);
            assertEquals(0, h.upstream.hits.get(), name + ": the upstream must not be reached");
        });
    }

    // ----- 1. method spelling

    /** A known method in another case: frameworks that upper-case it would run a handler the policy never judged. */
    @TestFactory
    Stream<DynamicTest> otherSpellingsOfKnownMethodsAreBadRequests() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String m : List.of(
                "delete", "Delete", "dELETE", "get", "Get", "head", "post", "Post", "put", "patch", "options", "trace",
                "Trace", "connect")) {
            tests.add(refused(
                    m + " /admin/x", 400, "bad_method", () -> raw(m + " /admin/x HTTP/1.1", "Host: localhost")));
        }
        for (String m : List.of("GE(T", "G@T", "GET\"", "DE/LETE", "G{ET}", "GET,POST", "GE;T", "G\u00c9T")) {
            tests.add(refused("non-token " + m, 400, "bad_method", () -> raw(m + " /x HTTP/1.1", "Host: localhost")));
        }
        return tests.stream();
    }

    /** TRACE (cross-site tracing) and CONNECT (tunnels) by default, and every method not listed in listen.methods. */
    @TestFactory
    Stream<DynamicTest> unlistedMethodsAreNotAllowed() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String m : List.of(
                "TRACE",
                "CONNECT",
                "PROPFIND",
                "PROPPATCH",
                "MKCOL",
                "COPY",
                "MOVE",
                "LOCK",
                "SEARCH",
                "PURGE",
                "FOO",
                "M-SEARCH",
                "BREW",
                "DEBUG",
                "TRACK")) {
            tests.add(DynamicTest.dynamicTest(m, () -> {
                h.upstream.reset();
                String target = m.equals("CONNECT") ? "localhost:443" : "/x";
                RawHttp.Answer a = raw(m + " " + target + " HTTP/1.1", "Host: localhost");
                assertEquals(405, a.status(), a.body());
                assertEquals("method_not_allowed", a.reason());
                assertEquals("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", a.header("Allow"));
                assertEquals(0, h.upstream.hits.get());
            }));
        }
        return tests.stream();
    }

    @Test
    void headIsJudgedByTheRulesForGet() {
        assertEquals(403, raw("GET /reports/x HTTP/1.1", "Host: localhost").status());
        RawHttp.Answer head = raw("HEAD /reports/x HTTP/1.1", "Host: localhost");
        assertEquals(403, head.status(), "HEAD runs the app's GET handler");
        assertEquals(0, h.upstream.hits.get());
        assertEquals(200, raw("HEAD /public/x HTTP/1.1", "Host: localhost").status());
        assertEquals("HEAD", h.upstream.last().method());
    }

    @Test
    void exactMethodsStillWork() {
        assertEquals(403, raw("DELETE /admin/x HTTP/1.1", "Host: localhost").status(), "the rule applies");
        for (String m : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
            h.upstream.reset();
            assertEquals(
                    200,
                    raw(m + " /other HTTP/1.1", "Host: localhost", "Content-Length: 0")
                            .status(),
                    m);
            assertEquals(m, h.upstream.last().method());
        }
    }

    // ----- 2. path characters

    /** Raw characters outside RFC 3986 pchar: Express and gunicorn drop "#…", so /secret#x would be served as /secret. */
    @TestFactory
    Stream<DynamicTest> pathCharactersOutsidePcharAreRefused() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String p : List.of(
                "/secret#x",
                "/secret#",
                "/public/x#/../../secret/x",
                "/secret/a\"b",
                "/secret/<x>",
                "/secret/a^b",
                "/secret/a`b",
                "/secret/{x}",
                "/secret/a|b",
                "/secret/[x]",
                "/secret/a}b",
                "/secret/caf\u00c3\u00a9",
                "/secret/\u00ff",
                "/secret/\u00c0\u00ae\u00c0\u00ae/x")) {
            tests.add(refused("path " + p, 400, "invalid_path_character", () -> get(p)));
        }
        return tests.stream();
    }

    /** Percent-encodings that are not valid, shortest-form UTF-8: lenient decoders read %c0%ae as '.', %c0%af as '/'. */
    @TestFactory
    Stream<DynamicTest> percentEncodingsThatAreNotUtf8AreRefused() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String p : List.of(
                "/public/%c0%ae%c0%ae/secret/x",
                "/public/%c0%ae%c0%ae%c0%afsecret",
                "/public/%c1%9c..%c1%9csecret",
                "/public/%e0%80%ae%e0%80%ae/secret",
                "/public/%f0%80%80%ae",
                "/secret/%ff",
                "/secret/%80",
                "/secret/%c3",
                "/secret/%ed%a0%80",
                "/secret/%f4%90%80%80",
                "/secret/%fe%ff",
                "/secret/%C0%80")) {
            tests.add(refused("path " + p, 400, "invalid_utf8_encoding", () -> get(p)));
        }
        return tests.stream();
    }

    @Test
    void validUtf8IsForwardedEncoded() {
        RawHttp.Answer a = get("/docs/caf%c3%a9/%E2%82%AC?q=%ff");
        assertEquals(200, a.status(), a.body());
        assertEquals("/docs/caf%C3%A9/%E2%82%AC?q=%ff", h.upstream.last().uri(), "path canonical, query untouched");
        assertEquals(200, get("/docs/a-b._~!$&'()*+,=:@").status(), "every pchar");
    }

    // ----- 3. Host

    @TestFactory
    Stream<DynamicTest> hostMustBeOneValidAuthority() {
        List<DynamicTest> tests = new ArrayList<>();
        String port = Integer.toString(h.sidecar.port());
        tests.add(refused(
                "two Host headers, different",
                400,
                "invalid_host",
                () -> raw("GET /x HTTP/1.1", "Host: localhost", "Host: evil.example")));
        tests.add(refused(
                "two Host headers, same",
                400,
                "invalid_host",
                () -> raw("GET /x HTTP/1.1", "Host: localhost", "Host: localhost")));
        tests.add(refused(
                "two Host headers, different case",
                400,
                "invalid_host",
                () -> raw("GET /x HTTP/1.1", "Host: localhost", "host: evil.example")));
        tests.add(refused("no Host (HTTP/1.1)", 400, "invalid_host", () -> raw("GET /x HTTP/1.1")));
        tests.add(refused("no Host (HTTP/1.0)", 400, "invalid_host", () -> raw("GET /x HTTP/1.0")));
        for (String host : List.of(
                "",
                "user@localhost",
                "user:pw@localhost:" + port,
                "evil.example@localhost",
                "local host",
                "localhost:" + port + " x",
                "evil.example,localhost",
                "evil.example;localhost",
                "localhost/x",
                "localhost\\x",
                "localhost?x",
                "localhost#x",
                "local%68ost",
                "localhost:",
                "localhost:0",
                "localhost:65536",
                "localhost:99999",
                "localhost:0080",
                "localhost:8o",
                "[::1",
                "[fe80::1%25eth0]",
                "[v1.x]",
                "a".repeat(256),
                "h".repeat(15 * 1024),
                "caf\u00c3\u00a9.example",
                "'localhost'",
                "<script>")) {
            String shown = host.length() > 40 ? host.substring(0, 20) + "…(" + host.length() + ")" : host;
            tests.add(refused("Host: " + shown, 400, "invalid_host", () -> raw("GET /x HTTP/1.1", "Host: " + host)));
        }
        // RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host; it must not disagree with it.
        tests.add(refused(
                "absolute-form naming another host",
                400,
                "invalid_host",
                () -> raw("GET http://evil.example/x HTTP/1.1", "Host: localhost")));
        tests.add(refused(
                "absolute-form with another port",
                400,
                "invalid_host",
                () -> raw("GET http://localhost:81/x HTTP/1.1", "Host: localhost")));
        tests.add(refused(
                "absolute-form with userinfo",
                400,
                "invalid_host",
                () -> raw("GET http://user@localhost/x HTTP/1.1", "Host: localhost")));
        tests.add(refused(
                "absolute-form, another scheme",
                400,
                "invalid_host",
                () -> raw("GET ftp://localhost/x HTTP/1.1", "Host: localhost")));
        tests.add(refused("absolute-form, no Host", 400, "invalid_host", () -> raw("GET http://localhost/x HTTP/1.1")));
        return tests.stream();
    }

    @Test
    void aValidHostIsWhatTheAppSees() {
        for (String host : List.of(
                "localhost", "app.example.com:8443", "127.0.0.1:1", "[::1]", "[::1]:8000", "under_score.example")) {
            h.upstream.reset();
            assertEquals(200, raw("GET /x HTTP/1.1", "Host: " + host).status(), host);
            TestUpstream.Seen seen = h.upstream.last();
            assertEquals(host, seen.headers().get("X-Forwarded-Host"));
            assertEquals(1, seen.headers().getAll("X-Forwarded-Host").size());
        }
    }

    @Test
    void anAbsoluteFormTargetNamingTheHostIsServed() {
        assertEquals(
                200,
                raw("GET http://localhost/x?y=1 HTTP/1.1", "Host: localhost").status());
        assertEquals("/x?y=1", h.upstream.last().uri());
        assertEquals(
                200, raw("GET HTTPS://LocalHost HTTP/1.1", "Host: localhost").status());
        assertEquals("/", h.upstream.last().uri());
    }

    @Test
    void theLoginRedirectIsBuiltFromTheCheckedHost() {
        RawHttp.Answer a = RawHttp.exchange(
                h.sidecar.port(), "GET /page HTTP/1.1\r\nHost: app.example.com:8443\r\n" + "Accept: text/html\r\n\r\n");
        assertEquals(302, a.status());
        assertTrue(
                a.header("Location").contains("redirect_uri=http%3A%2F%2Fapp.example.com%3A8443%2F.sidecar%2Fcallback"),
                a.header("Location"));
        RawHttp.Answer twice = RawHttp.exchange(
                h.sidecar.port(),
                "GET /page HTTP/1.1\r\nHost: app.example.com\r\n" + "Host: evil.example\r\nAccept: text/html\r\n\r\n");
        assertEquals(400, twice.status());
        assertNull(twice.header("Location"));
    }

    // ----- 4. routing-override headers

    @TestFactory
    Stream<DynamicTest> routingOverrideHeadersNeverReachTheApp() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : new SidecarConfig.Headers().stripExtra) {
            for (String spelling :
                    List.of(name, name.toLowerCase(), name.toUpperCase().replace('-', '_'))) {
                tests.add(DynamicTest.dynamicTest(spelling, () -> {
                    for (String path : List.of("/public/x", "/x")) {
                        h.upstream.reset();
                        RawHttp.Answer a =
                                raw("GET " + path + " HTTP/1.1", "Host: localhost", spelling + ": /secret/x");
                        assertEquals(200, a.status(), "stripped, not refused");
                        TestUpstream.Seen seen = h.upstream.last();
                        assertEquals(path, seen.uri());
                        for (var e : seen.headers()) {
                            assertFalse(
                                    e.getValue().equals("/secret/x"), spelling + " reached the app as " + e.getKey());
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void routingOverrideHeadersAreStrippedFromWebSocketUpgrades() {
        WebSocketClient client = h.vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(h.sidecar.port())
                .setURI("/ws")
                .addHeader("Authorization", "Bearer " + token);
        for (String name : new SidecarConfig.Headers().stripExtra) {
            options.addHeader(name, "/secret/x");
        }
        WebSocket socket = Http.await(client.connect(options));
        Promise<String> reply = Promise.promise();
        socket.textMessageHandler(reply::tryComplete);
        socket.writeTextMessage("hi");
        assertEquals("echo:hi", Http.await(reply.future()));
        TestUpstream.Seen seen = h.upstream.last();
        assertTrue(seen.webSocket());
        for (var e : seen.headers()) {
            assertFalse(e.getValue().equals("/secret/x"), "reached the app on the upgrade: " + e.getKey());
        }
        Http.await(socket.close());
        Http.await(client.close());
    }

    // ----- 5. header values on HTTP/1.1 (HTTP/2 is Http2RequestTest) and h2c

    @TestFactory
    Stream<DynamicTest> controlCharactersInHeaderValuesAreRefused() {
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(refused(
                "bare CR",
                400,
                "invalid_header_value",
                () -> raw("GET /x HTTP/1.1", "Host: localhost", "X-A: a\rX-Auth-Subject: root")));
        tests.add(refused(
                "bare LF",
                400,
                "invalid_header_value",
                () -> raw("GET /x HTTP/1.1", "Host: localhost", "X-A: a\nX-Auth-Subject: root")));
        tests.add(refused(
                "NUL", 400, "invalid_header_value", () -> raw("GET /x HTTP/1.1", "Host: localhost", "X-A: a\u0000b")));
        tests.add(refused(
                "other control",
                400,
                "invalid_header_value",
                () -> raw("GET /x HTTP/1.1", "Host: localhost", "X-A: a\u0001b")));
        tests.add(
                refused("CR in Host", 400, "invalid_header_value", () -> raw("GET /x HTTP/1.1", "Host: local\rhost")));
        tests.add(refused(
                "bare LF ending the request line",
                400,
                "invalid_header_value",
                () -> RawHttp.exchange(h.sidecar.port(), "GET /x HTTP/1.1\nHost: localhost\r\n\r\n")));
        return tests.stream();
    }

    @Test
    void h2cIsOffByDefault() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + "\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000");
            RawHttp.Answer a = c.read();
            assertEquals(400, a.status(), "an HTTP/1 refusal (not Vert.x's 501), no SETTINGS frame: " + a.body());
            assertEquals("unsupported_http_version", a.reason());
            assertTrue(c.closedByServer(5_000));
        }
        h.upstream.reset();
        RawHttp.Answer upgrade = raw(
                "GET /x HTTP/1.1",
                "Host: localhost",
                "Connection: Upgrade, HTTP2-Settings",
                "Upgrade: h2c",
                "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA");
        assertEquals(200, upgrade.status(), "served as HTTP/1.1, no 101");
        assertNull(h.upstream.last().headers().get("Upgrade"));
        assertNull(h.upstream.last().headers().get("HTTP2-Settings"), "hop-by-hop: for the sidecar alone");
    }
}

package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.RawHttp2;
import org.servicetokens.sidecar.support.TestUpstream;

/**
 * HTTP/2 cleartext (on here with {@code listen.h2c: true}): the same rules as HTTP/1.1 for method, path, Host
 * ({@code :authority}) and header values, with frames built by hand so nothing a client library would refuse to
 * send goes untested. A header value with CR or LF would reach the app's HTTP/1.1 request as an extra line (or a
 * broken request: 502); the sidecar answers 400 instead. Where Vert.x itself treats the request as malformed
 * (RFC 9113 §8.1.1) it resets the stream before the sidecar sees it: that is a refusal too.
 */
class Http2RequestTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> {
                c.listen.h2c = true;
                c.policy.rules = Harness.rules(RequestLineTest.POLICY);
            })
            .resettingUpstream();

    static String token;

    @BeforeAll
    static void start() {
        token = h.validToken();
    }

    /** A well-formed GET with a token, plus the given headers (which may repeat or replace pseudo-headers). */
    private static Http2Headers request(String method, String path, String... extra) {
        List<String> all = new ArrayList<>(
                List.of(":method", method, ":scheme", "http", ":authority", "localhost", ":path", path));
        all.addAll(List.of(extra));
        all.addAll(List.of("authorization", "Bearer " + token));
        return RawHttp2.headers(all.toArray(String[]::new));
    }

    private static DynamicTest refused(String name, int status, String reason, Http2Headers request) {
        return DynamicTest.dynamicTest(name, () -> {
            h.upstream.reset();
            RawHttp2.Answer a = RawHttp2.exchange(h.sidecar.port(), request, null);
            assertEquals(status, a.status(), name + ": " + a);
            assertEquals(reason, a.reason(), name);
            assertEquals(0, h.upstream.hits.get(), name + ": the upstream must not be reached");
        });
    }

    /** Refused by the protocol layer (stream reset or connection error) or by the sidecar with a 400; never forwarded. */
    private static DynamicTest refusedSomehow(String name, Http2Headers request) {
        return DynamicTest.dynamicTest(name, () -> {
            h.upstream.reset();
            RawHttp2.Answer a = RawHttp2.exchange(h.sidecar.port(), request, null);
            assertTrue(a.refusedByProtocol() || a.status() == 400, name + ": " + a);
            assertEquals(0, h.upstream.hits.get(), name + ": the upstream must not be reached");
        });
    }

    @Test
    void aPlainHttp2RequestIsServed() {
        RawHttp2.Answer a = RawHttp2.exchange(h.sidecar.port(), request("GET", "/x?y=1"), null);
        assertEquals(200, a.status(), a.toString());
        TestUpstream.Seen seen = h.upstream.last();
        assertEquals("/x?y=1", seen.uri());
        assertEquals("localhost", seen.headers().get("X-Forwarded-Host"));
        assertEquals("user-1", seen.headers().get("X-Auth-Subject"));
    }

    @Test
    void vertxClientsWithPriorKnowledgeAndUpgradeAreServed() {
        for (boolean upgrade : new boolean[] {false, true}) {
            HttpClient client = h.vertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(upgrade));
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
                h.upstream.reset();
                Http.Response r = Http.await(client.request(new RequestOptions()
                                .setMethod(method)
                                .setHost("127.0.0.1")
                                .setPort(h.sidecar.port())
                                .setURI("/upload")
                                .putHeader("Authorization", "Bearer " + token))
                        .compose(req -> req.send(Buffer.buffer(method == HttpMethod.POST ? "hello" : ""))
                                .compose(resp -> resp.body()
                                        .map(b -> new Http.Response(
                                                resp.statusCode(),
                                                resp.headers(),
                                                b.toString() + " " + resp.version())))));
                assertEquals(200, r.status(), "upgrade=" + upgrade + " " + method + ": " + r.body());
                assertTrue(r.body().endsWith("HTTP_2"), "served over HTTP/2: " + r.body());
                assertTrue(r.body().contains("\"bytes\":" + (method == HttpMethod.POST ? 5 : 0)), r.body());
            }
            Http.await(client.close());
        }
    }

    @TestFactory
    Stream<DynamicTest> controlCharactersInHeaderValuesAreRefused() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String value : List.of(
                "a\r\n X-Auth-Subject: root",
                "a\r\nX-Auth-Subject: root",
                "\r\n",
                "\r\n\r\n",
                "a\rb",
                "a\nb",
                "a\u0000b",
                "\u0000",
                "a\u0001",
                "a\u007f")) {
            String shown = value.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
            tests.add(refused(
                    "x-note: " + shown, 400, "invalid_header_value", request("GET", "/public/x", "x-note", value)));
            tests.add(refused(
                    "user-agent: " + shown + " on an authenticated path",
                    400,
                    "invalid_header_value",
                    request("GET", "/x", "user-agent", value)));
        }
        tests.add(refused(
                "a CR LF in a routing-override header is still refused",
                400,
                "invalid_header_value",
                request("GET", "/x", "x-original-url", "/a\r\nb")));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> methodsAreExactOnHttp2Too() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String m : List.of("delete", "Get", "head")) {
            tests.add(refused(":method " + m, 400, "bad_method", request(m, "/admin/x")));
        }
        for (String m : List.of("TRACE", "PROPFIND", "FOO")) {
            tests.add(refused(":method " + m, 405, "method_not_allowed", request(m, "/x")));
        }
        // Netty refuses a non-token :method as a protocol error before any request exists.
        tests.add(refusedSomehow(":method G(T", request("G(T", "/x")));
        tests.add(refusedSomehow(":method with a space", request("GE T", "/x")));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> pathsAreCheckedOnHttp2Too() {
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(refused(":path with #", 400, "invalid_path_character", request("GET", "/secret#x")));
        tests.add(refused(":path with a space", 400, "invalid_path_character", request("GET", "/secret/a b")));
        tests.add(refused(
                ":path with a raw non-ASCII", 400, "invalid_path_character", request("GET", "/secret/caf\u00e9")));
        tests.add(refused(
                ":path overlong dot", 400, "invalid_utf8_encoding", request("GET", "/public/%c0%ae%c0%ae/secret")));
        tests.add(refused(
                ":path with CR LF", 400, "control_character_in_path", request("GET", "/x\r\nX-Auth-Subject: root")));
        tests.add(refused(
                ":path absolute-form", 400, "path_not_absolute", request("GET", "http://evil.example/secret/x")));
        tests.add(refused(":path relative", 400, "path_not_absolute", request("GET", "secret/x")));
        tests.add(refused(
                ":path query with CR LF",
                400,
                "invalid_request_target",
                request("GET", "/public/x?a=1\r\nX-Auth-Subject: root")));
        tests.add(refused(
                ":path query with a space", 400, "invalid_request_target", request("GET", "/public/x?a=1 HTTP/1.1")));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> authorityMustBeOneValidHost() {
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(refused(
                "no :authority",
                400,
                "invalid_host",
                RawHttp2.headers(
                        ":method", "GET", ":scheme", "http", ":path", "/x", "authorization", "Bearer " + token)));
        tests.add(refused(
                "no :authority, host only",
                400,
                "invalid_host",
                RawHttp2.headers(
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        ":path",
                        "/x",
                        "host",
                        "localhost",
                        "authorization",
                        "Bearer " + token)));
        tests.add(refused(
                "no :authority, two hosts",
                400,
                "invalid_host",
                RawHttp2.headers(
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        ":path",
                        "/x",
                        "host",
                        "localhost",
                        "host",
                        "evil.example",
                        "authorization",
                        "Bearer " + token)));
        tests.add(refused(
                ":authority and a second, different host",
                400,
                "invalid_host",
                request("GET", "/x", "host", "localhost", "host", "evil.example")));
        tests.add(refused(
                ":authority and two equal hosts",
                400,
                "invalid_host",
                request("GET", "/x", "host", "localhost", "host", "localhost")));
        for (String authority : List.of("evil.example,localhost", "localhost:0", "a".repeat(300))) {
            tests.add(refused(
                    ":authority " + (authority.length() > 40 ? "300×a" : "'" + authority + "'"),
                    400,
                    "invalid_host",
                    RawHttp2.headers(
                            ":method",
                            "GET",
                            ":scheme",
                            "http",
                            ":authority",
                            authority,
                            ":path",
                            "/x",
                            "authorization",
                            "Bearer " + token)));
        }
        // Vert.x resets these streams itself (RFC 9113 §8.1.1 malformed): refused, whichever layer does it.
        for (String authority : List.of("", "local host", "localhost:99999", "[::1", "local%68ost")) {
            tests.add(refusedSomehow(
                    ":authority '" + authority + "'",
                    RawHttp2.headers(
                            ":method",
                            "GET",
                            ":scheme",
                            "http",
                            ":authority",
                            authority,
                            ":path",
                            "/x",
                            "authorization",
                            "Bearer " + token)));
        }
        tests.add(refusedSomehow(
                ":authority with userinfo",
                RawHttp2.headers(
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        ":authority",
                        "user@localhost",
                        ":path",
                        "/x",
                        "authorization",
                        "Bearer " + token)));
        tests.add(refusedSomehow(":authority disagreeing with host", request("GET", "/x", "host", "evil.example")));
        tests.add(refusedSomehow(":authority and host differing in case", request("GET", "/x", "host", "LOCALHOST")));
        tests.add(refusedSomehow("two :authority", request("GET", "/x", ":authority", "evil.example")));
        tests.add(refusedSomehow("two :path", request("GET", "/public/x", ":path", "/secret/x")));
        tests.add(refusedSomehow("two :method", request("GET", "/x", ":method", "DELETE")));
        tests.add(refusedSomehow("unknown pseudo-header", request("GET", "/x", ":x-original-url", "/secret/x")));
        tests.add(refusedSomehow("upper-case header name", request("GET", "/x", "X-Original-URL", "/secret/x")));
        tests.add(refusedSomehow("connection-specific header", request("GET", "/x", "connection", "close")));
        tests.add(refusedSomehow("transfer-encoding", request("GET", "/x", "transfer-encoding", "chunked")));
        tests.add(refusedSomehow(
                "no :path",
                RawHttp2.headers(
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        ":authority",
                        "localhost",
                        "authorization",
                        "Bearer " + token)));
        return tests.stream();
    }

    /**
     * RFC 9113 §8.3 calls a pseudo-header after a regular field malformed; Netty and Vert.x 5.0.7 accept it. It is
     * still read as the pseudo-header it is (never forwarded as a header, never a second authority), so it opens
     * no way around the checks; this pins that down.
     */
    @Test
    void aLatePseudoHeaderIsReadAsThePseudoHeader() {
        RawHttp2.Answer a = RawHttp2.exchange(
                h.sidecar.port(),
                RawHttp2.headers(
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        "x-a",
                        "1",
                        ":authority",
                        "app.example.com",
                        ":path",
                        "/x",
                        "authorization",
                        "Bearer " + token),
                null);
        assertTrue(a.status() == 200 || a.refusedByProtocol(), a.toString());
        if (a.status() == 200) {
            assertEquals("app.example.com", h.upstream.last().headers().get("X-Forwarded-Host"));
            assertEquals("/x", h.upstream.last().uri());
        }
        RawHttp2.Answer late = RawHttp2.exchange(
                h.sidecar.port(),
                RawHttp2.headers(
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        ":authority",
                        "localhost",
                        "x-a",
                        "1",
                        ":path",
                        "/secret#x",
                        "authorization",
                        "Bearer " + token),
                null);
        assertTrue(late.status() == 400 || late.refusedByProtocol(), "a late :path is checked like any: " + late);
    }

    @Test
    void validAuthoritiesAreForwarded() {
        for (String authority : List.of("localhost:8000", "[::1]:8000", "app.example.com")) {
            h.upstream.reset();
            RawHttp2.Answer a = RawHttp2.exchange(
                    h.sidecar.port(),
                    RawHttp2.headers(
                            ":method",
                            "GET",
                            ":scheme",
                            "http",
                            ":authority",
                            authority,
                            ":path",
                            "/x",
                            "host",
                            authority,
                            "authorization",
                            "Bearer " + token),
                    null);
            assertEquals(200, a.status(), authority + ": " + a);
            assertEquals(authority, h.upstream.last().headers().get("X-Forwarded-Host"));
        }
    }

    @Test
    void expectContinueWaitsForTheDecisionOnHttp2() {
        RawHttp2.Answer refused = RawHttp2.exchange(
                h.sidecar.port(),
                RawHttp2.headers(
                        ":method",
                        "POST",
                        ":scheme",
                        "http",
                        ":authority",
                        "localhost",
                        ":path",
                        "/upload",
                        "expect",
                        "100-continue",
                        "content-length",
                        "5"),
                "hello");
        assertEquals(401, refused.status(), refused.toString());
        assertFalse(refused.interim(), "the final answer, no 100 Continue first");
        assertFalse(refused.headers().contains("connection"), "no connection-specific header on HTTP/2");
        assertEquals(0, h.upstream.hits.get());
        RawHttp2.Answer allowed = RawHttp2.exchange(
                h.sidecar.port(), request("POST", "/upload", "expect", "100-continue", "content-length", "5"), "hello");
        assertEquals(200, allowed.status(), allowed.toString());
        assertTrue(allowed.interim(), "100 Continue once allowed");
    }
}

package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.RawHttp;
import org.servicetokens.sidecar.support.TestUpstream;

/**
 * Request smuggling (RFC 9112 §6.1, §6.3, §7.1, §11.2): every request is sent as raw bytes with a second request
 * pipelined behind it, {@code GET /public/smuggled}, which a parser that ends the first request somewhere else
 * would serve. A framing parsers read differently gets 400 with its reason, the connection is closed after the
 * answer, and neither request reaches the app. Well-formed framings keep working, keep-alive included.
 */
class RequestFramingTest {

    static final String HOST = "Host: localhost\r\n";
    static final String SMUGGLED = "GET /public/smuggled HTTP/1.1\r\n" + HOST + "\r\n";

    @RegisterExtension
    static final Harness h = new Harness().resettingUpstream();

    /** An HTTP/1.1 POST to a public path with these header lines and this body, the smuggled request right behind it. */
    static String post(String headers, String body) {
        return "POST /public/upload HTTP/1.1\r\n" + HOST + headers + "\r\n" + body + SMUGGLED;
    }

    /** The same in HTTP/1.0. */
    static String post10(String headers, String body) {
        return "POST /public/upload HTTP/1.0\r\n" + HOST + headers + "\r\n" + body + SMUGGLED;
    }

    private static DynamicTest refused(String name, String reason, String bytes) {
        return DynamicTest.dynamicTest(name, () -> {
            h.upstream.reset();
            try (RawHttp c = new RawHttp(h.sidecar.port())) {
                c.send(bytes);
                RawHttp.Answer a = c.read();
                assertEquals(400, a.status(), name + ": " + a.body());
                if (reason != null) {
                    assertEquals(reason, a.reason(), name);
                }
                if (!bytes.contains(" HTTP/1.0\r\n")) {
                    // For an HTTP/1.0 keep-alive request Vert.x writes "keep-alive" whatever we say; it closes all the
                    // same.
                    assertEquals("close", a.header("Connection"), name);
                }
                assertTrue(c.closedByServer(5_000), name + ": the connection must close");
            }
            Harness.sleep(50);
            assertEquals(0, h.upstream.hits.get(), name + ": nothing may reach the upstream, " + h.upstream.seen);
        });
    }

    @TestFactory
    Stream<DynamicTest> transferEncodingWithContentLengthIsRefused() {
        String reason = "transfer_encoding_with_content_length";
        return Stream.of(
                refused(
                        "CL then TE",
                        reason,
                        post("Content-Length: 60\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
                refused("TE then CL", reason, post("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "0\r\n\r\n")),
                refused(
                        "CL with an obfuscated TE",
                        reason,
                        post("Content-Length: 5\r\nTransfer-Encoding: xchunked\r\n", "0\r\n\r\n")),
                refused(
                        "CL with TE: identity",
                        reason,
                        post("Content-Length: 5\r\nTransfer-Encoding: identity\r\n", "0\r\n\r\n")),
                refused(
                        "HTTP/1.0, CL and TE",
                        reason,
                        post10("Content-Length: 60\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
                refused(
                        "CL 0 and TE",
                        reason,
                        post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));
    }

    @TestFactory
    Stream<DynamicTest> anyTransferEncodingButOneChunkedIsRefused() {
        String reason = "unsupported_transfer_encoding";
        List<DynamicTest> tests = new ArrayList<>();
        for (String te : List.of(
                "xchunked",
                "chunked, identity",
                "identity, chunked",
                "gzip, chunked",
                "chunked, chunked",
                "\"chunked\"",
                "chunked;",
                "chunked;q=1",
                "chunk",
                "cow",
                "identity",
                "chunked x",
                "x chunked",
                ",chunked",
                "chunked,",
                "ch\tunked",
                "")) {
            tests.add(refused(
                    "Transfer-Encoding: " + te, reason, post("Transfer-Encoding: " + te + "\r\n", "0\r\n\r\n")));
        }
        tests.add(refused(
                "two fields, both chunked",
                reason,
                post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));
        tests.add(refused(
                "two fields, chunked last (CVE-2019-16786)",
                reason,
                post("Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));
        tests.add(refused(
                "two fields, chunked first",
                reason,
                post("Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", "0\r\n\r\n")));
        tests.add(
                refused("obs-fold (CVE-2022-32215)", reason, post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n")));
        tests.add(refused(
                "obs-fold after chunked", reason, post("Transfer-Encoding: chunked\r\n identity\r\n", "0\r\n\r\n")));
        tests.add(refused("chunked in HTTP/1.0", reason, post10("Transfer-Encoding: chunked\r\n", "0\r\n\r\n")));
        tests.add(refused(
                "chunked in HTTP/1.0 with keep-alive",
                reason,
                post10("Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));
        // Refused by the header parser before the framing rules: still 400, closed, nothing forwarded.
        tests.add(refused("space before the colon", null, post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n")));
        tests.add(refused(
                "vertical tab before the value", null, post("Transfer-Encoding:\u000bchunked\r\n", "0\r\n\r\n")));
        tests.add(refused("NUL after the value", null, post("Transfer-Encoding: chunked\u0000\r\n", "0\r\n\r\n")));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> contentLengthMustBeOneDecimalNumber() {
        String reason = "invalid_content_length";
        List<DynamicTest> tests = new ArrayList<>();
        for (String cl : List.of(
                "+5",
                "-1",
                "0x5",
                "5 5",
                "5, 5",
                "5,5",
                "abc",
                "5a",
                "",
                "1e3",
                "99999999999999999999",
                "1234567890123456789")) {
            tests.add(refused("Content-Length: " + cl, reason, post("Content-Length: " + cl + "\r\n", "hello")));
        }
        tests.add(refused("two equal fields", reason, post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")));
        tests.add(refused("two different fields", reason, post("Content-Length: 0\r\nContent-Length: 5\r\n", "hello")));
        tests.add(refused(
                "two fields in HTTP/1.0 (Netty keeps the first)",
                reason,
                post10("Content-Length: 0\r\nContent-Length: 50\r\n", "")));
        tests.add(refused(
                "two fields in HTTP/1.0, different case",
                reason,
                post10("content-length: 0\r\nCONTENT-LENGTH: 50\r\n", "")));
        return tests.stream();
    }

    /** The whole request in one packet: a malformed chunked body is refused before the app sees the head. */
    @TestFactory
    Stream<DynamicTest> malformedChunkedBodiesAreRefused() {
        String te = "Transfer-Encoding: chunked\r\n";
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(refused("chunk extension", "chunk_extension", post(te, "3;a=b\r\nabc\r\n0\r\n\r\n")));
        tests.add(refused("extension on the last chunk", "chunk_extension", post(te, "3\r\nabc\r\n0;a=b\r\n\r\n")));
        tests.add(refused(
                "extension with a quoted CR LF", "chunk_extension", post(te, "3;a=\"\r\n\"\r\nabc\r\n0\r\n\r\n")));
        tests.add(refused("extension with a bare LF", "chunk_extension", post(te, "3;a\nxx\r\nabc\r\n0\r\n\r\n")));
        tests.add(
                refused("trailer field", "trailer_fields", post(te, "3\r\nabc\r\n0\r\nX-Auth-Subject: root\r\n\r\n")));
        tests.add(refused(
                "Content-Length in the trailer",
                "trailer_fields",
                post(te, "3\r\nabc\r\n0\r\nContent-Length: 50\r\n\r\n")));
        tests.add(refused("last chunk without its final CR LF", "trailer_fields", post(te, "0\r\n")));
        String invalid = "invalid_chunked_body";
        for (String size : List.of(
                "3 ",
                " 3",
                "3\t",
                "0x3",
                "+3",
                "-3",
                "3\u000b",
                "g",
                "\u00b3",
                "fffffffffffffffff",
                "00000000000000003")) {
            tests.add(refused("size '" + size + "'", invalid, post(te, size + "\r\nabc\r\n0\r\n\r\n")));
        }
        tests.add(refused("empty size line", invalid, post(te, "\r\nabc\r\n0\r\n\r\n")));
        tests.add(refused("data longer than the size", invalid, post(te, "3\r\nabcX\r\n0\r\n\r\n")));
        tests.add(refused("data shorter than the size", invalid, post(te, "5\r\nabc\r\n0\r\n\r\n")));
        tests.add(refused("bare LF after the size", invalid, post(te, "3\nabc\r\n0\r\n\r\n")));
        tests.add(refused("bare LF after the data", invalid, post(te, "3\r\nabc\n0\r\n\r\n")));
        tests.add(refused("bare CR after the data", invalid, post(te, "3\r\nabc\r0\r\n\r\n")));
        tests.add(refused("bare LFs throughout", invalid, post(te, "3\nabc\n0\n\n")));
        tests.add(refused("bare LF ending the body", invalid, post(te, "3\r\nabc\r\n0\r\n\n")));
        return tests.stream();
    }

    /** A fault in body bytes that come after the head was forwarded: the connection closes, no second request. */
    @Test
    void aMalformedChunkArrivingLaterClosesTheConnection() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send("POST /public/upload HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
            long deadline = System.currentTimeMillis() + 5_000;
            while (h.upstream.hits.get() == 0 && System.currentTimeMillis() < deadline) {
                Harness.sleep(10);
            }
            assertEquals(1, h.upstream.hits.get(), "the head went upstream");
            c.send("3 \r\nabc\r\n0\r\n\r\n" + SMUGGLED);
            RawHttp.Answer a = c.read();
            assertTrue(a.status() == -1 || a.status() == 400, "closed, or refused: " + a.status() + " " + a.body());
            assertTrue(a.status() == -1 || c.closedByServer(5_000));
        }
        Harness.sleep(100);
        assertEquals(1, h.upstream.hits.get(), "nothing more reached the upstream: " + h.upstream.seen);
    }

    @Test
    void wellFormedBodiesAreForwardedAndTheConnectionKeptAlive() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            String te = "Transfer-Encoding: chunked\r\n";
            for (String[] framing : List.of(
                    new String[] {"Content-Length: 3\r\n", "abc", "3"},
                    new String[] {"Content-Length: 003\r\n", "abc", "3"},
                    new String[] {te, "3\r\nabc\r\n0\r\n\r\n", "3"},
                    new String[] {"Transfer-Encoding: CHUNKED\r\n", "3\r\nabc\r\n0\r\n\r\n", "3"},
                    new String[] {"Transfer-Encoding:\tchunked \r\n", "3\r\nabc\r\n0\r\n\r\n", "3"},
                    new String[] {te, "0003\r\nabc\r\nA\r\n0123456789\r\n00\r\n\r\n", "13"},
                    new String[] {te, "0\r\n\r\n", "0"},
                    new String[] {
                        te, "4000\r\n" + "x".repeat(0x4000) + "\r\nff\r\n" + "y".repeat(255) + "\r\n0\r\n\r\n", "16639"
                    })) {
                h.upstream.reset();
                c.send("POST /public/upload HTTP/1.1\r\n" + HOST + framing[0] + "\r\n" + framing[1]);
                RawHttp.Answer a = c.read();
                assertEquals(200, a.status(), framing[0] + a.body());
                assertEquals(
                        framing[2],
                        new JsonObject(a.body()).getValue("bodyLength").toString(),
                        framing[0]);
                assertNull(a.header("Connection"), "kept alive");
            }
            c.send("GET /public/x HTTP/1.1\r\n" + HOST + "\r\n");
            assertEquals(200, c.read().status());
        }
    }

    /** The chunked body in small packets, split inside size lines, data and CR LFs: checked as it arrives. */
    @Test
    void aChunkedBodyInSmallPiecesIsForwarded() {
        String body = "5\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send("POST /public/upload HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < body.length(); i += 2) {
                c.send(body.substring(i, Math.min(body.length(), i + 2)));
                Harness.sleep(2);
            }
            RawHttp.Answer a = c.read();
            assertEquals(200, a.status(), a.body());
            assertEquals(21, new JsonObject(a.body()).getInteger("bodyLength"));
        }
    }

    @TestFactory
    Stream<DynamicTest> versionsOtherThanHttp11And10GetA400NotA501() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String version : List.of(
                "HTTP/2.0",
                "HTTP/2",
                "http/1.1",
                "Http/1.1",
                "HTTP/1.2",
                "HTTP/1.10",
                "HTTP/3",
                "HTTP/0.9",
                "HTTP/1.1x",
                "HTTP/1",
                "HTTPS/1.1",
                "FOO/1.1")) {
            tests.add(
                    refused(version, "unsupported_http_version", "GET /public/x " + version + "\r\n" + HOST + "\r\n"));
        }
        tests.add(refused("no version (HTTP/0.9 style)", null, "GET /public/x\r\n\r\n"));
        tests.add(refused(
                "the HTTP/2 preface, h2c off",
                "unsupported_http_version",
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000"));
        return tests.stream();
    }

    /**
     * A refused request whose body was still to come says {@code Connection: close}: the connection does close once
     * that body has been read, and a request pipelined behind it is never answered.
     */
    @Test
    void aRefusedUploadClosesTheConnectionItAnnounces() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send("POST /admin/x HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhello" + SMUGGLED);
            RawHttp.Answer a = c.read();
            assertEquals(401, a.status());
            assertEquals("close", a.header("Connection"));
            assertTrue(c.closedByServer(5_000));
        }
        Harness.sleep(50);
        assertEquals(0, h.upstream.hits.get(), h.upstream.seen.toString());
    }

    /**
     * Content on a GET (or any method servers commonly ignore it on) goes upstream on a connection that closes after
     * it: an app that ignores the content must not read it as the next request on a pooled connection. The app's own
     * {@code Connection: close} is about its connection to the sidecar and is not passed to the client.
     */
    @Test
    void contentOnAGetGoesUpstreamOnAConnectionOfItsOwn() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            for (String method : List.of("GET", "DELETE", "OPTIONS")) {
                h.upstream.reset();
                c.send(method + " /public/x HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhello");
                RawHttp.Answer a = c.read();
                assertEquals(200, a.status(), method);
                assertEquals("close", h.upstream.last().headers().get("Connection"), method);
                assertNull(a.header("Connection"), method + ": the client's connection stays open");
            }
            h.upstream.reset();
            c.send("POST /public/x HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhello");
            assertEquals(200, c.read().status());
            assertNull(h.upstream.last().headers().get("Connection"), "POST keeps the pooled connection");
            c.send("GET /public/x HTTP/1.1\r\n" + HOST + "Content-Length: 0\r\n\r\n");
            assertEquals(200, c.read().status());
            assertNull(h.upstream.last().headers().get("Connection"), "no content, nothing to fear");
        }
    }

    @TestFactory
    Stream<DynamicTest> aWebSocketUpgradeWithContentIsRefused() {
        String upgrade = "GET /public/ws HTTP/1.1\r\n" + HOST + "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        return Stream.of(
                DynamicTest.dynamicTest(
                        "Content-Length", () -> upgradeRefused(upgrade + "Content-Length: 50\r\n\r\n" + SMUGGLED)),
                DynamicTest.dynamicTest(
                        "chunked",
                        () -> upgradeRefused(upgrade + "Transfer-Encoding: chunked\r\n\r\n"
                                + Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n")),
                DynamicTest.dynamicTest(
                        "Upgrade in another case",
                        () -> upgradeRefused(
                                upgrade.replace("websocket", "WebSocket") + "Content-Length: 50\r\n\r\n" + SMUGGLED)));
    }

    private static void upgradeRefused(String bytes) {
        h.upstream.reset();
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send(bytes);
            RawHttp.Answer a = c.read();
            assertEquals(400, a.status(), a.body());
            assertEquals("content_with_upgrade", a.reason());
            assertTrue(c.closedByServer(5_000));
        }
        Harness.sleep(50);
        assertEquals(0, h.upstream.hits.get(), h.upstream.seen.toString());
    }

    /** What the app receives is framed one way only, whatever the client sent. */
    @Test
    void theUpstreamRequestIsFramedUnambiguously() {
        RawHttp.Answer chunked = RawHttp.exchange(
                h.sidecar.port(),
                "POST /public/x HTTP/1.1\r\n" + HOST + "Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assertEquals(200, chunked.status());
        TestUpstream.Seen seen = h.upstream.last();
        assertEquals(List.of("chunked"), seen.headers().getAll("Transfer-Encoding"));
        assertTrue(seen.headers().getAll("Content-Length").isEmpty());
        assertEquals(3, new JsonObject(chunked.body()).getInteger("bodyLength"));
        h.upstream.reset();
        RawHttp.Answer sized = RawHttp.exchange(
                h.sidecar.port(), "POST /public/x HTTP/1.1\r\n" + HOST + "Content-Length: 0003\r\n\r\nabc");
        assertEquals(200, sized.status());
        seen = h.upstream.last();
        assertEquals(List.of("3"), seen.headers().getAll("Content-Length"));
        assertFalse(seen.headers().contains("Transfer-Encoding"));
    }
}

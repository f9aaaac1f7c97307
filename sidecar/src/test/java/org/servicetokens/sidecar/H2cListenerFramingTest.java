package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.RawHttp;
import org.servicetokens.sidecar.support.RawHttp2;

/**
 * Framing on a listener with {@code listen.h2c: true}. There Vert.x's own decoder reads the first HTTP/1.1
 * request of each connection (it must look for the HTTP/2 preface first): that request is checked from its decoded
 * head, a Transfer-Encoding on it closes the connection after the answer (a Content-Length next to it may have been
 * dropped unseen), and the strict decoder reads every later request. HTTP/2 requests are framed by HTTP/2 itself:
 * a body that disagrees with its {@code content-length} resets the stream.
 */
class H2cListenerFramingTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> c.listen.h2c = true).resettingUpstream();

    static String token;

    @BeforeAll
    static void start() {
        token = h.validToken();
    }

    private static void refusedFirst(String bytes, String reason) {
        h.upstream.reset();
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send(bytes);
            RawHttp.Answer a = c.read();
            assertEquals(400, a.status(), a.body());
            assertEquals(reason, a.reason());
            assertTrue(c.closedByServer(5_000));
        }
        Harness.sleep(50);
        assertEquals(0, h.upstream.hits.get(), h.upstream.seen.toString());
    }

    @Test
    void theFirstRequestIsCheckedFromItsHead() {
        for (String version : List.of("HTTP/2.0", "http/1.1", "HTTP/1.2")) {
            refusedFirst("GET /public/x " + version + "\r\nHost: localhost\r\n\r\n", "unsupported_http_version");
        }
        refusedFirst(
                "POST /public/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"
                        + RequestFramingTest.SMUGGLED,
                "unsupported_transfer_encoding");
        refusedFirst(
                "POST /public/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"
                        + RequestFramingTest.SMUGGLED,
                "unsupported_transfer_encoding");
        refusedFirst(
                "POST /public/x HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "unsupported_transfer_encoding");
    }

    /** Netty dropped the Content-Length before anyone could see it: chunked wins, then the connection closes. */
    @Test
    void aFirstRequestWithTransferEncodingClosesTheConnectionAfterItsAnswer() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send(
                    "POST /public/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 60\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "0\r\n\r\n" + RequestFramingTest.SMUGGLED);
            RawHttp.Answer a = c.read();
            assertTrue(a.status() == 200 || a.status() == 400, a.status() + " " + a.body());
            assertTrue(c.closedByServer(5_000), "nothing after it is read");
        }
        Harness.sleep(50);
        assertFalse(h.upstream.seen.stream().anyMatch(s -> s.uri().contains("smuggled")), h.upstream.seen.toString());
    }

    @Test
    void laterRequestsAreReadByTheStrictDecoder() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send("GET /public/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, c.read().status());
            c.send(
                    "POST /public/upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            RawHttp.Answer chunked = c.read();
            assertEquals(200, chunked.status(), "a chunked request after the first keeps the connection");
            c.send(
                    "POST /public/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 60\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "0\r\n\r\n" + RequestFramingTest.SMUGGLED);
            RawHttp.Answer a = c.read();
            assertEquals(400, a.status(), a.body());
            assertEquals("transfer_encoding_with_content_length", a.reason());
            assertTrue(c.closedByServer(5_000));
        }
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            // The handover happens at the first request's end even when the next one is already in the same packet.
            c.send(
                    "GET /public/x HTTP/1.1\r\nHost: localhost\r\n\r\nGET /public/y HTTP/2.0\r\nHost: localhost\r\n\r\n");
            assertEquals(200, c.read().status());
            RawHttp.Answer second = c.read();
            assertEquals(400, second.status(), second.body());
            assertEquals("unsupported_http_version", second.reason());
        }
        assertFalse(h.upstream.seen.stream()
                .anyMatch(s -> s.uri().contains("smuggled") || s.uri().equals("/public/y")));
    }

    /** Netty resets the stream (RFC 9113 §8.1.1): the upstream request, if it was started, is reset too. */
    @Test
    void anHttp2BodyThatDisagreesWithItsContentLengthIsRefused() {
        for (String[] mismatch : List.of(new String[] {"100", "hello"}, new String[] {"2", "hello"})) {
            h.upstream.reset();
            RawHttp2.Answer a = RawHttp2.exchange(
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
                            "content-length",
                            mismatch[0],
                            "authorization",
                            "Bearer " + token),
                    mismatch[1]);
            assertTrue(a.refusedByProtocol() || a.status() == 400, "content-length " + mismatch[0] + ": " + a);
        }
    }

    @Test
    void hopByHopHeadersOnHttp2NeverReachTheApp() {
        RawHttp2.Answer a = RawHttp2.exchange(
                h.sidecar.port(),
                RawHttp2.headers(
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        ":authority",
                        "localhost",
                        ":path",
                        "/public/x",
                        "te",
                        "trailers",
                        "http2-settings",
                        "AAMAAABkAARAAAAAAAIAAAAA",
                        "trailer",
                        "x-checksum"),
                null);
        assertEquals(200, a.status(), a.toString());
        for (String name : List.of("TE", "HTTP2-Settings", "Trailer")) {
            assertFalse(h.upstream.last().headers().contains(name), name);
        }
    }
}

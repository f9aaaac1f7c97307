package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.RawHttp;

/**
 * {@code Expect: 100-continue} (RFC 9110 §10.1.1): the client holds its body until it hears 100 Continue. The
 * sidecar says it only once the request is authenticated and allowed; a refused request gets its final status
 * (and the connection closes, since the body that may follow is never read).
 */
class ExpectContinueTest {

    @RegisterExtension
    static final Harness h = new Harness().resettingUpstream();

    private static String head(String path, String... headers) {
        StringBuilder sb = new StringBuilder("POST ")
                .append(path)
                .append(" HTTP/1.1\r\nHost: localhost\r\n")
                .append("Content-Length: 5\r\nExpect: 100-continue\r\n");
        for (String line : headers) {
            sb.append(line).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** Sends the head, expects the final refusal first (no 100), and the connection closed after it. */
    private static void refusedWithoutContinue(String head, int status, String reason) {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send(head);
            RawHttp.Answer first = c.read();
            assertEquals(status, first.status(), "the final answer comes first, no 100 Continue: " + first.body());
            assertEquals(reason, first.reason());
            assertEquals("close", first.header("Connection"));
            assertTrue(c.closedByServer(5_000), "the unread body is not waited for");
        }
        assertEquals(0, h.upstream.hits.get());
    }

    @Test
    void noCredentialGetsTheFinalAnswer() {
        refusedWithoutContinue(head("/upload"), 401, "no_credentials");
    }

    @Test
    void aBadTokenGetsTheFinalAnswer() {
        refusedWithoutContinue(head("/upload", "Authorization: Bearer not.a.token"), 401, "malformed_token");
    }

    @Test
    void aForbiddenRequestGetsTheFinalAnswer() {
        refusedWithoutContinue(head("/api/admin/upload", "Authorization: Bearer " + h.validToken()), 403, "policy");
    }

    @Test
    void aRefusedPathGetsTheFinalAnswer() {
        refusedWithoutContinue(head("/public/%c0%ae%c0%ae/upload"), 400, "invalid_utf8_encoding");
    }

    @Test
    void anAllowedRequestHearsContinueThenSendsItsBody() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send(head("/upload", "Authorization: Bearer " + h.validToken()));
            RawHttp.Answer first = c.read();
            assertEquals(100, first.status(), "100 Continue once authenticated and allowed");
            c.send("hello");
            RawHttp.Answer done = c.read();
            assertEquals(200, done.status(), done.body());
            assertEquals(5, new JsonObject(done.body()).getLong("bytes"));
        }
        assertNull(h.upstream.last().headers().get("Expect"), "the app is not asked again");
    }

    @Test
    void aPublicPathHearsContinueToo() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send(head("/public/upload"));
            assertEquals(100, c.read().status());
            c.send("hello");
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void http10IgnoresTheExpectation() {
        try (RawHttp c = new RawHttp(h.sidecar.port())) {
            c.send(head("/public/upload").replace("HTTP/1.1", "HTTP/1.0"));
            RawHttp.Answer early = c.read(1_000);
            assertNull(early, "an HTTP/1.0 server must ignore 100-continue (RFC 9110 §10.1.1)");
            c.send("hello");
            assertEquals(200, c.read().status());
        }
    }
}

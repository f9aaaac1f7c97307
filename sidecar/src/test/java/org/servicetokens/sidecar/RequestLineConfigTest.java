package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.RawHttp;
import org.servicetokens.sidecar.support.TestUpstream;

/**
 * The request-line keys set: {@code listen.public-url} is the base of every URL the sidecar builds and of the
 * X-Forwarded-* it sends, whatever Host a client sends; {@code listen.methods} admits more methods (still spelt
 * exactly); {@code headers.strip-extra} replaces the routing-override list.
 */
class RequestLineConfigTest {

    static final String PUBLIC_URL = "https://app.example.com";

    @RegisterExtension
    static final Harness h = new Harness(c -> {
                c.listen.publicUrl = PUBLIC_URL + "/";
                c.listen.methods = List.of("GET", "HEAD", "POST", "PROPFIND", "M-SEARCH");
                c.headers.stripExtra = List.of("X-Tenant-Override", "X-Original-URL");
                c.app.clientSecret = "demo-app-secret";
                c.policy.rules = Harness.rules("""
        - {path: /dav/**, methods: [PROPFIND], allow: {roles: [admin]}}
        - {path: /**, allow: authenticated}
        """);
            })
            .resettingUpstream();

    static String token;

    @BeforeAll
    static void start() {
        token = h.validToken();
    }

    @Test
    void loginRedirectUsesThePublicUrlWhateverTheHost() {
        for (String host : List.of("localhost", "evil.example", "127.0.0.1:" + h.sidecar.port())) {
            RawHttp.Answer a = RawHttp.exchange(
                    h.sidecar.port(), "GET /page HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/html\r\n\r\n");
            assertEquals(302, a.status(), a.body());
            assertTrue(
                    a.header("Location")
                            .contains("&redirect_uri="
                                    + URLEncoder.encode(PUBLIC_URL + "/.sidecar/callback", StandardCharsets.UTF_8)
                                    + "&"),
                    a.header("Location"));
        }
        RawHttp.Answer explicit =
                RawHttp.exchange(h.sidecar.port(), "GET /.sidecar/login?rd=/x HTTP/1.1\r\nHost: evil.example\r\n\r\n");
        assertTrue(
                explicit.header("Location")
                        .contains(URLEncoder.encode(PUBLIC_URL + "/.sidecar/callback", StandardCharsets.UTF_8)),
                explicit.header("Location"));
    }

    @Test
    void logoutUsesThePublicUrl() {
        Http.Response cross = h.http.send(
                HttpMethod.POST,
                "/.sidecar/logout",
                Buffer.buffer(""),
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Origin",
                "http://127.0.0.1:" + h.sidecar.port());
        assertEquals(403, cross.status(), "the origin is the public URL's, not the Host's");
        Http.Response out = h.http.send(
                HttpMethod.POST,
                "/.sidecar/logout",
                Buffer.buffer(""),
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Origin",
                PUBLIC_URL);
        assertEquals(302, out.status(), out.body());
        assertTrue(
                out.header("Location")
                        .contains("post_logout_redirect_uri="
                                + URLEncoder.encode(PUBLIC_URL + "/.sidecar/logged-out", StandardCharsets.UTF_8)),
                out.header("Location"));
    }

    @Test
    void forwardedHeadersComeFromThePublicUrl() {
        RawHttp.Answer a = RawHttp.exchange(
                h.sidecar.port(),
                "GET /x HTTP/1.1\r\nHost: evil.example\r\n" + "Authorization: Bearer " + token + "\r\n\r\n");
        assertEquals(200, a.status(), a.body());
        TestUpstream.Seen seen = h.upstream.last();
        assertEquals("app.example.com", seen.headers().get("X-Forwarded-Host"));
        assertEquals("https", seen.headers().get("X-Forwarded-Proto"));
        assertEquals(1, seen.headers().getAll("X-Forwarded-Host").size());
    }

    @Test
    void listedMethodsAreAllowedAndStillExact() {
        RawHttp.Answer propfind = raw("PROPFIND /files/x");
        assertEquals(200, propfind.status(), propfind.body());
        assertEquals("PROPFIND", h.upstream.last().method());
        assertEquals(403, raw("PROPFIND /dav/x").status(), "rules can name it");
        assertEquals(200, raw("M-SEARCH /x").status());
        h.upstream.reset();
        assertEquals("bad_method", raw("propfind /dav/x").reason(), "a listed method spelt in another case");
        assertEquals("bad_method", raw("m-search /x").reason());
        RawHttp.Answer put = raw("PUT /x");
        assertEquals(405, put.status(), "not listed here");
        assertEquals("GET, HEAD, POST, PROPFIND, M-SEARCH", put.header("Allow"));
        assertEquals(405, raw("TRACE /x").status());
        assertEquals(0, h.upstream.hits.get());
    }

    @Test
    void theConfiguredStripListReplacesTheDefault() {
        RawHttp.Answer a = RawHttp.exchange(
                h.sidecar.port(),
                "GET /x HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Bearer " + token
                        + "\r\nX-Tenant-Override: other\r\nx_original_url: /admin\r\n"
                        + "X-Rewrite-URL: /kept\r\nX-Forwarded-Prefix: /p\r\n\r\n");
        assertEquals(200, a.status());
        TestUpstream.Seen seen = h.upstream.last();
        assertNull(seen.headers().get("X-Tenant-Override"));
        assertNull(seen.headers().get("x_original_url"));
        assertEquals("/kept", seen.headers().get("X-Rewrite-URL"), "no longer listed, so forwarded");
        assertNull(seen.headers().get("X-Forwarded-Prefix"), "identity and X-Forwarded-* families are always stripped");
    }

    private static RawHttp.Answer raw(String requestLine) {
        return RawHttp.exchange(
                h.sidecar.port(),
                requestLine + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n\r\n");
    }
}

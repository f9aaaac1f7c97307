package org.servicetokens.sidecar.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;

/** Reading the original request from a forward-auth proxy's headers: what is refused, and with which reason. */
class ForwardedRequestTest {

    private static final String PROXY = "10.0.0.5";
    private final ForwardedRequest reader = new ForwardedRequest(trusting("10.0.0.0/24", "::1"));

    private static SidecarConfig.ForwardAuth trusting(String... ranges) {
        SidecarConfig.ForwardAuth config = new SidecarConfig.ForwardAuth();
        config.trustedProxies = List.of(ranges);
        return config;
    }

    private static MultiMap headers(String... pairs) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) {
            m.add(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private String reason(String peer, String... pairs) {
        ForwardedRequest.Result r = reader.read(headers(pairs), peer);
        return r.refusal() == null
                ? null
                : r.refusal().status() + " " + r.refusal().reason();
    }

    private ForwardedRequest.Original original(String... pairs) {
        ForwardedRequest.Result r = reader.read(headers(pairs), PROXY);
        assertNull(r.refusal(), () -> r.refusal().reason());
        return r.original();
    }

    @Test
    void traefikAndCaddyHeaders() {
        ForwardedRequest.Original o = original(
                "X-Forwarded-Method",
                "POST",
                "X-Forwarded-Uri",
                "/api/x?a=1&b=%2F",
                "X-Forwarded-Host",
                "app.example.com",
                "X-Forwarded-Proto",
                "HTTPS");
        assertEquals("POST", o.method());
        assertEquals("/api/x?a=1&b=%2F", o.target());
        assertEquals("/api/x", o.rawPath());
        assertEquals("app.example.com", o.host());
        assertEquals("https", o.scheme());
    }

    @Test
    void nginxHeadersWithoutHostOrProto() {
        ForwardedRequest.Original o = original("x-original-method", "GET", "x-original-uri", "/a/b");
        assertEquals("/a/b", o.rawPath());
        assertNull(o.host());
        assertNull(o.scheme());
    }

    @Test
    void ingressNginxAbsoluteUrl() {
        ForwardedRequest.Original o = original(
                "X-Original-Method",
                "GET",
                "X-Original-URL",
                "https://app.example.com:8443/p/q?x=1",
                "X-Forwarded-Host",
                "APP.example.com:8443");
        assertEquals("/p/q?x=1", o.target());
        assertEquals("app.example.com:8443", o.host());
        assertEquals("https", o.scheme());
        assertEquals(
                "/",
                original("X-Original-Method", "GET", "X-Original-URL", "http://a.example")
                        .target());
        assertEquals(
                "/?x",
                original("X-Original-Method", "GET", "X-Original-URL", "http://a.example?x")
                        .target());
    }

    @Test
    void onlyTrustedPeersAreHeard() {
        String[] ok = {"X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/"};
        assertEquals("403 untrusted_proxy", reason("10.0.1.5", ok));
        assertEquals("403 untrusted_proxy", reason(null, ok));
        assertEquals("403 untrusted_proxy", reason("127.0.0.1", ok));
        assertNull(reason("::1", ok));
        assertNull(reason("::ffff:10.0.0.9", ok));
        assertEquals("403 untrusted_proxy", reason("not-an-address", ok));
        ForwardedRequest nobody = new ForwardedRequest(new SidecarConfig.ForwardAuth());
        assertEquals(
                "untrusted_proxy",
                nobody.read(headers(ok), "127.0.0.1").refusal().reason(),
                "empty list: fail closed");
    }

    @Test
    void missingParts() {
        assertEquals("400 missing_forwarded_method", reason(PROXY, "X-Forwarded-Uri", "/"));
        assertEquals("400 missing_forwarded_uri", reason(PROXY, "X-Forwarded-Method", "GET"));
        assertEquals("400 missing_forwarded_method", reason(PROXY));
    }

    @Test
    void duplicatedOrTwoKindsAreAmbiguous() {
        assertEquals(
                "400 ambiguous_forwarded_uri",
                reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public", "X-Forwarded-Uri", "/admin"));
        assertEquals(
                "400 ambiguous_forwarded_uri",
                reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public", "X-Original-URI", "/admin"));
        assertEquals(
                "400 ambiguous_forwarded_uri",
                reason(
                        PROXY,
                        "X-Forwarded-Method",
                        "GET",
                        "X-Forwarded-Uri",
                        "/public",
                        "X-Original-URL",
                        "http://a/admin"));
        assertEquals(
                "400 ambiguous_forwarded_method",
                reason(PROXY, "X-Forwarded-Method", "GET", "X-Original-Method", "DELETE", "X-Forwarded-Uri", "/"));
        assertEquals(
                "400 ambiguous_forwarded_method",
                reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/"));
        assertEquals(
                "400 ambiguous_forwarded_host",
                reason(
                        PROXY,
                        "X-Forwarded-Method",
                        "GET",
                        "X-Forwarded-Uri",
                        "/",
                        "X-Forwarded-Host",
                        "a.example",
                        "X-Forwarded-Host",
                        "b.example"));
        assertEquals(
                "400 ambiguous_forwarded_proto",
                reason(
                        PROXY,
                        "X-Forwarded-Method",
                        "GET",
                        "X-Forwarded-Uri",
                        "/",
                        "X-Forwarded-Proto",
                        "https",
                        "X-Forwarded-Proto",
                        "http"));
        assertEquals(
                "400 ambiguous_forwarded_host",
                reason(
                        PROXY,
                        "X-Original-Method",
                        "GET",
                        "X-Original-URL",
                        "https://a.example/x",
                        "X-Forwarded-Host",
                        "b.example"));
        assertEquals(
                "400 ambiguous_forwarded_proto",
                reason(
                        PROXY,
                        "X-Original-Method",
                        "GET",
                        "X-Original-URL",
                        "https://a.example/x",
                        "X-Forwarded-Proto",
                        "http"));
    }

    @Test
    void hostileTargets() {
        for (String target : List.of(
                "http://evil.example/admin",
                "https://a/x",
                "admin",
                "*",
                "",
                " /x",
                "/x y",
                "/x\r\nX-Auth-Subject: admin",
                "/x\n",
                "/x\u0000",
                "/x?a=1#frag",
                "/x?\t",
                "/x\u007f")) {
            assertEquals(
                    "400 invalid_forwarded_uri",
                    reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", target),
                    target);
        }
        for (String url :
                List.of("/relative", "ftp://a/x", "http://", "http://a b/x", "http://user@a/x", "javascript:x")) {
            String r = reason(PROXY, "X-Original-Method", "GET", "X-Original-URL", url);
            assertEquals(true, "400 invalid_forwarded_uri".equals(r) || "400 invalid_host".equals(r), url + " → " + r);
        }
        // A raw '#' in the path is the path normaliser's (invalid_path_character), as for a request line.
        assertEquals(
                "/public#/../admin",
                original("X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/public#/../admin")
                        .rawPath());
    }

    @Test
    void oversizedTarget() {
        String longPath = "/" + "a".repeat(8192);
        assertEquals(
                "414 forwarded_uri_too_long", reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", longPath));
        assertNull(reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", longPath.substring(0, 8192)));
    }

    @Test
    void malformedHostAndProto() {
        for (String host :
                List.of("a.example, b.example", "a b", "user@a.example", "a.example:99999", "", "a/b", "[::1")) {
            assertEquals(
                    "400 invalid_host",
                    reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/", "X-Forwarded-Host", host),
                    host);
        }
        for (String proto : List.of("ftp", "https, http", "", "javascript")) {
            assertEquals(
                    "400 invalid_forwarded_proto",
                    reason(PROXY, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/", "X-Forwarded-Proto", proto),
                    proto);
        }
    }

    @Test
    void configuredNamesReplaceTheDefaults() {
        SidecarConfig.ForwardAuth config = trusting("10.0.0.5");
        config.methodHeaders = List.of("X-Original-Method");
        config.uriHeaders = List.of("X-Original-URI");
        config.urlHeaders = List.of();
        ForwardedRequest nginxOnly = new ForwardedRequest(config);
        // A client's own X-Forwarded-Uri is then not read at all (the nginx config also clears it).
        ForwardedRequest.Result r = nginxOnly.read(
                headers(
                        "X-Original-Method",
                        "GET",
                        "X-Original-URI",
                        "/a",
                        "X-Forwarded-Uri",
                        "/public",
                        "X-Forwarded-Method",
                        "GET"),
                PROXY);
        assertEquals("/a", r.original().target());
    }
}

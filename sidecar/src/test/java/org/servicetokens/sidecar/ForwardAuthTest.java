package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * The forward-auth front door against a fake realm: the same judgement as the proxy (screen, path rules, credentials,
 * policy, refusals), answered as 200 + identity headers, and nothing ever reaches the upstream. With RFC 9728
 * metadata on: the challenge names it, and it is served.
 */
class ForwardAuthTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> {
                c.forwardAuth.trustedProxies = List.of("127.0.0.1/32");
                c.resourceMetadata.enabled = true;
                c.resourceMetadata.name = "Demo app";
            })
            .resettingUpstream();

    private static Http.Response askAt(String path, String method, String uri, String... more) {
        List<String> headers = new ArrayList<>(List.of(
                "X-Forwarded-Method",
                method,
                "X-Forwarded-Uri",
                uri,
                "X-Forwarded-Host",
                "app.example.com",
                "X-Forwarded-Proto",
                "https"));
        headers.addAll(List.of(more));
        return h.http.get(path, headers.toArray(String[]::new));
    }

    private static Http.Response ask(String method, String uri, String... more) {
        return askAt("/.sidecar/forward-auth", method, uri, more);
    }

    private static String reason(Http.Response r) {
        return new JsonObject(r.body()).getString("reason");
    }

    @Test
    void allowedBotGetsTheIdentityHeadersAndNothingIsForwarded() {
        Http.Response r = ask(
                "GET",
                "/api/ci/deploy?x=1",
                "KC-Access-Client-Id",
                "ci-bot",
                "KC-Access-Client-Secret",
                Harness.BOT_SECRET,
                "X-Auth-Subject",
                "spoofed");
        assertEquals(200, r.status(), r.body());
        assertEquals("service", r.header("X-Auth-Type"));
        assertEquals("sub-ci-bot", r.header("X-Auth-Subject"));
        assertEquals("ci-bot", r.header("X-Auth-Client-Id"));
        assertTrue(r.header("X-Access-Jwt-Assertion").split("\\.").length == 3);
        assertEquals("no-store", r.header("Cache-Control"));
        for (String name : List.of(
                "X-Access-Jwt-Assertion",
                "X-Auth-Type",
                "X-Auth-Subject",
                "X-Auth-Username",
                "X-Auth-Email",
                "X-Auth-Client-Id",
                "X-Auth-Token-Name",
                "X-Auth-Roles",
                "X-Auth-Groups")) {
            assertEquals(
                    1,
                    r.headers().getAll(name).size(),
                    name + ": every name once, empty where the identity has no value");
        }
        assertEquals("headers", r.header("X-Sidecar-Reason"), "the credential kind");
        assertEquals(0, h.upstream.hits.get(), "forward-auth never forwards");
    }

    @Test
    void bearerOnAuthRequestAndPublicPathsWithoutIdentity() {
        Http.Response r = askAt("/.sidecar/auth-request", "POST", "/x", "Authorization", h.bearer(h.validToken()));
        assertEquals(200, r.status(), r.body());
        assertEquals("user-1", r.header("X-Auth-Subject"));
        // Envoy's ext_authz appends the original path to the endpoint's; the headers still name what is judged.
        Http.Response envoy =
                askAt("/.sidecar/forward-auth/x", "DELETE", "/api/admin/x", "Authorization", h.bearer(h.validToken()));
        assertEquals(403, envoy.status(), envoy.body());
        Http.Response pub = ask("GET", "/public/a");
        assertEquals(200, pub.status());
        assertEquals("", pub.header("X-Auth-Subject"), "every name, empty: a proxy copying it copies nothing");
        assertEquals("", pub.header("X-Access-Jwt-Assertion"));
        assertEquals("public_path", pub.header("X-Sidecar-Reason"));
    }

    @Test
    void noCredentialsIs401WithResourceMetadataForTheOriginalHost() {
        Http.Response r = ask("GET", "/x", "Accept", "application/json");
        assertEquals(401, r.status());
        assertEquals("no_credentials", reason(r));
        assertEquals(
                "Bearer realm=\"demo-app\", resource_metadata=\"https://app.example.com/.well-known/oauth-protected-resource\"",
                r.header("WWW-Authenticate"));
        assertEquals("no_credentials", r.header("X-Sidecar-Reason"));
    }

    @Test
    void policyAndAppRefusalsAre403() {
        assertEquals(
                403,
                ask("GET", "/x", "KC-Access-Client-Id", "other-bot", "KC-Access-Client-Secret", Harness.OTHER_SECRET)
                        .status(),
                "a token for another app");
        Http.Response r = ask("GET", "/api/admin/x", "Authorization", h.bearer(h.validToken()));
        assertEquals(403, r.status());
        assertEquals("policy", reason(r));
        // The method judged is the forwarded one: GET on /api/readonly is allowed, DELETE needs a role.
        assertEquals(
                200,
                ask("GET", "/api/readonly/a", "Authorization", h.bearer(h.validToken()))
                        .status());
        assertEquals(
                403,
                ask("DELETE", "/api/readonly/a", "Authorization", h.bearer(h.validToken()))
                        .status());
    }

    @Test
    void pathAndMethodBypassesAreRefusedAsOnTheProxy() {
        String bearer = h.bearer(h.validToken());
        assertEquals("bad_method", reason(ask("delete", "/api/readonly/a", "Authorization", bearer)));
        Http.Response trace = ask("TRACE", "/x", "Authorization", bearer);
        assertEquals(405, trace.status());
        assertTrue(trace.header("Allow").contains("GET"));
        for (String[] c : new String[][] {
            {"/public/..%2fapi/admin/x", "400"},
            {"/public/%2e%2e/api/admin/x", "400"},
            {"/public#/../api/admin", "400"},
            {"/public/%252e%252e/api/admin", "400"},
            {"/public/%c0%ae%c0%ae/api/admin", "400"},
            {"/public/a;b", "400"},
            {"/.sidecar/identity", "404"},
            {"/public/../.sidecar/x", "400"}
        }) {
            Http.Response r = ask("GET", c[0], "Authorization", bearer);
            assertEquals(c[1], Integer.toString(r.status()), c[0] + " → " + r.body());
        }
        // The proxy forwards the raw path, so anything but the normal form is refused (the proxy path would rewrite
        // it).
        for (String raw :
                new String[] {"/public/../api/admin/x", "/public//a", "/public/./a", "/%70ublic/a", "/public/%c3%a9"}) {
            Http.Response r = ask("GET", raw, "Authorization", bearer);
            assertEquals("non_canonical_path", reason(r), raw);
        }
        assertEquals(
                200, ask("GET", "/public/%C3%A9?q=%2F", "Authorization", bearer).status());
        assertEquals(0, h.upstream.hits.get());
    }

    @Test
    void browserNavigationRedirectsOrGets401WithTheLoginUrl() {
        String html = "text/html,application/xhtml+xml";
        Http.Response traefik = ask("GET", "/page?a=1&b=2", "Accept", html);
        assertEquals(302, traefik.status());
        URI location = URI.create(traefik.header("Location"));
        String query = URLDecoder.decode(location.getRawQuery(), StandardCharsets.UTF_8);
        assertTrue(query.contains("redirect_uri=https://app.example.com/.sidecar/callback"), query);
        assertTrue(traefik.headers().getAll("Set-Cookie").size() >= 1, "the pending login's cookie");

        Http.Response nginx = askAt("/.sidecar/auth-request", "GET", "/page?a=1&b=2", "Accept", html);
        assertEquals(401, nginx.status());
        assertEquals(
                "https://app.example.com/.sidecar/login?rd=%2Fpage%3Fa%3D1%26b%3D2", nginx.header("X-Sidecar-Login"));
        assertEquals("no_credentials", reason(nginx));
        // A POST is no navigation: no login offered.
        assertNull(
                askAt("/.sidecar/auth-request", "POST", "/page", "Accept", html).header("X-Sidecar-Login"));
    }

    @Test
    void malformedForwardedRequestsAreRefused() {
        assertEquals(
                "missing_forwarded_uri", reason(h.http.get("/.sidecar/forward-auth", "X-Forwarded-Method", "GET")));
        Http.Response two = h.http.get(
                "/.sidecar/forward-auth",
                "X-Forwarded-Method",
                "GET",
                "X-Forwarded-Uri",
                "/public/a",
                "X-Original-URI",
                "/api/admin/x");
        assertEquals(400, two.status());
        assertEquals("ambiguous_forwarded_uri", reason(two));
        assertEquals("invalid_forwarded_uri", reason(ask("GET", "http://evil.example/x")));
        assertEquals(
                "invalid_host",
                reason(h.http.get(
                        "/.sidecar/forward-auth",
                        "X-Forwarded-Method",
                        "GET",
                        "X-Forwarded-Uri",
                        "/",
                        "X-Forwarded-Host",
                        "evil\"quote")));
    }

    @Test
    void protectedResourceMetadata() {
        Http.Response r = h.http.get("/.well-known/oauth-protected-resource");
        assertEquals(200, r.status(), r.body());
        JsonObject m = new JsonObject(r.body());
        assertEquals("http://127.0.0.1:" + h.sidecar.port(), m.getString("resource"));
        assertEquals(
                h.keycloak.issuer(), m.getJsonArray("authorization_servers").getString(0));
        assertEquals("header", m.getJsonArray("bearer_methods_supported").getString(0));
        assertEquals("Demo app", m.getString("resource_name"));
        // The proxy's own 401s name it too (RFC 9728 §5.1); an invalid token keeps its error attribute.
        Http.Response bad = h.http.get("/x", "Authorization", "Bearer not.a.jwt");
        assertEquals(
                "Bearer realm=\"demo-app\", error=\"invalid_token\", resource_metadata=\"http://127.0.0.1:"
                        + h.sidecar.port() + "/.well-known/oauth-protected-resource\"",
                bad.header("WWW-Authenticate"));
        // Any other spelling is the app's path, judged as usual.
        assertEquals(
                401,
                h.http.get("/.well-known/oauth-protected-resource/", "Accept", "application/json")
                        .status());
        assertEquals(
                401,
                h.http.send(HttpMethod.POST, "/.well-known/oauth-protected-resource", null)
                        .status());
    }
}

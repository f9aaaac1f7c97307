package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.TokenApi;
import org.servicetokens.sidecar.support.RawHttp;

/**
 * Issue 14 end to end: Debian's nginx ({@code auth_request}) and Caddy ({@code forward_auth}), each started from the
 * config this repository ships, in front of a recording app, with one sidecar (its jar, its own process) deciding
 * through its forward-auth endpoints against the real Keycloak 26.7.3 with the provider. Plus the RFC 9728 discovery
 * a client does that knows nothing but the app's URL.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyForwardAuthIT {

    @InjectAdminClient
    Keycloak admin;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    @InjectRealm(fromJson = "/demo-realm.json")
    ManagedRealm realm;

    RecordingUpstream app;
    SidecarProcess sidecar;
    FrontProxy nginx;
    FrontProxy caddy;
    TokenApi api;
    JsonNode bot;
    JsonNode otherAppBot;

    @BeforeEach
    void startOnce() throws Exception {
        if (otherAppBot != null) {
            return;
        }
        try {
            start();
        } catch (Exception | Error e) {
            stop(); // each test then tries again, and reports the cause
            caddy = nginx = null;
            sidecar = null;
            app = null;
            throw e;
        }
    }

    private void start() throws Exception {
        app = new RecordingUpstream();
        sidecar = SidecarProcess.start(
                realm.getBaseUrl(),
                app.url(),
                Map.of(
                        "SIDECAR_FORWARD_AUTH_TRUSTED_PROXIES", "127.0.0.1/32, ::1",
                        "SIDECAR_RESOURCE_METADATA_ENABLED", "true",
                        "SIDECAR_POLICY_RULES", "[{\"path\": \"/public/**\", \"allow\": \"public\"}]"));
        nginx = FrontProxy.nginx(port(sidecar.url()), port(app.url()));
        caddy = FrontProxy.caddy(port(sidecar.url()), port(app.url()));
        ClientRepresentation demo =
                realm.admin().clients().findByClientId("demo-app").get(0);
        List<String> redirects = new ArrayList<>(demo.getRedirectUris());
        redirects.add(nginx.browserUrl() + "/.sidecar/callback");
        redirects.add(caddy.browserUrl() + "/.sidecar/callback");
        demo.setRedirectUris(redirects);
        realm.admin().clients().get(demo.getId()).update(demo);
        if (realm.admin().clients().findByClientId("other-app").isEmpty()) {
            ClientRepresentation other = new ClientRepresentation();
            other.setClientId("other-app");
            other.setPublicClient(false);
            realm.admin().clients().create(other).close();
        }
        api = new TokenApi(
                urls.getBase(), realm.getName(), () -> admin.tokenManager().getAccessTokenString());
        bot = api.create("proxy bot", null, "demo-app");
        otherAppBot = api.create("elsewhere bot", null, "other-app");
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {caddy, nginx, sidecar, app}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.out.println("closing " + c + ": " + e);
            }
        }
    }

    private List<FrontProxy> proxies() {
        return List.of(nginx, caddy);
    }

    private static Http.Reply get(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return Http.send(b);
    }

    @Test
    void botReachesTheAppWithOurIdentityHeadersNeverSpoofedOnes() throws Exception {
        String serviceAccount = realm.admin()
                .clients()
                .get(bot.get("id").asText())
                .getServiceAccountUser()
                .getId();
        for (FrontProxy proxy : proxies()) {
            int before = app.hits();
            Http.Reply reply = get(
                    proxy.url() + "/reports?x=1",
                    "KC-Access-Client-Id",
                    bot.get("clientId").asText(),
                    "KC-Access-Client-Secret",
                    bot.get("clientSecret").asText(),
                    "X-Auth-Subject",
                    "spoofed-admin",
                    "x-auth-type",
                    "user",
                    "X-Auth-Roles",
                    "admin",
                    "X-Forwarded-User",
                    "root",
                    "Remote-User",
                    "root");
            assertEquals(200, reply.status(), proxy + ": " + reply.printable());
            assertEquals(before + 1, app.hits());
            Map<String, String> seen = app.lastHeaders();
            assertEquals("service", seen.get("X-Auth-Type"), proxy + ": " + seen);
            assertEquals(serviceAccount, seen.get("X-Auth-Subject"), proxy + ": ours, never the caller's");
            assertEquals(bot.get("clientId").asText(), seen.get("X-Auth-Client-Id"));
            assertEquals("proxy bot", seen.get("X-Auth-Token-Name"));
            assertEquals(
                    "",
                    seen.getOrDefault("X-Auth-Roles", ""),
                    proxy + ": a token has no roles here, and the caller's are gone");
            assertNull(seen.get("X-Forwarded-User"), proxy.toString());
            assertNull(seen.get("Remote-User"), proxy.toString());
            assertNull(seen.get("KC-Access-Client-Secret"), proxy + ": credentials never reach the app");
            JsonNode assertion = Http.jwtPayload(seen.get("X-Access-Jwt-Assertion"));
            assertEquals(realm.getBaseUrl(), assertion.get("iss").asText());
            assertTrue(RealmKeys.signedByRealm(realm.getBaseUrl(), seen.get("X-Access-Jwt-Assertion")));

            // A public path: the app gets no identity at all, in particular none the caller sent.
            Http.Reply open =
                    get(proxy.url() + "/public/page", "X-Auth-Subject", "spoofed-admin", "X-Auth-Type", "service");
            assertEquals(200, open.status(), proxy + ": " + open.printable());
            // nginx sends no header for an empty value, Caddy an empty one: either way nobody, never the caller's.
            assertEquals("", app.lastHeaders().getOrDefault("X-Auth-Subject", ""), proxy + ": " + app.lastHeaders());
            assertEquals("", app.lastHeaders().getOrDefault("X-Auth-Type", ""), proxy.toString());
            assertEquals("", app.lastHeaders().getOrDefault("X-Access-Jwt-Assertion", ""), proxy.toString());
        }
    }

    @Test
    void noCredentialsIs401JsonWithResourceMetadataAndWrongAppIs403() {
        for (FrontProxy proxy : proxies()) {
            int before = app.hits();
            Http.Reply none = get(proxy.url() + "/reports", "Accept", "application/json");
            assertEquals(401, none.status(), proxy + ": " + none.printable());
            assertEquals("no_credentials", none.json().get("reason").asText(), proxy.toString());
            String challenge = none.header("WWW-Authenticate");
            assertTrue(challenge.startsWith("Bearer realm=\"demo-app\""), proxy + ": " + challenge);
            assertTrue(
                    challenge.contains(
                            "resource_metadata=\"" + proxy.url() + "/.well-known/oauth-protected-resource\""),
                    proxy + ": " + challenge);

            Http.Reply elsewhere = get(
                    proxy.url() + "/reports",
                    "KC-Access-Client-Id",
                    otherAppBot.get("clientId").asText(),
                    "KC-Access-Client-Secret",
                    otherAppBot.get("clientSecret").asText());
            assertEquals(403, elsewhere.status(), proxy + ": " + elsewhere.printable());
            assertEquals("not_allowed_for_app", elsewhere.json().get("reason").asText(), proxy.toString());
            assertEquals(before, app.hits(), proxy + ": the app saw neither");
        }
    }

    @Test
    void pathBypassKindsAreRefusedThroughEachProxy() throws Exception {
        // Each would reach /reports (authenticated) through the public prefix if any layer read it differently.
        List<String> requests = List.of(
                "get /public/x HTTP/1.1", // method spelling
                "gEt /reports HTTP/1.1",
                "GET /public#/../reports HTTP/1.1", // a raw '#'
                "GET /public/..%2freports HTTP/1.1", // encoded slash
                "GET /public/%2e%2e/reports HTTP/1.1", // encoded dots
                "GET /public/%252e%252e/reports HTTP/1.1", // double encoding
                "GET /public/%c0%ae%c0%ae/reports HTTP/1.1", // overlong UTF-8
                "GET /public/../reports HTTP/1.1", // dot segments
                "GET /public/./../reports HTTP/1.1",
                "GET /public;/../reports HTTP/1.1",
                "GET /public/..\\reports HTTP/1.1");
        for (FrontProxy proxy : proxies()) {
            for (String line : requests) {
                int before = app.hits();
                RawHttp.Answer answer = RawHttp.exchange(
                        proxy.port,
                        line + "\r\nHost: 127.0.0.1:" + proxy.port
                                + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
                assertTrue(
                        answer.status() >= 400 && answer.status() < 500 && answer.status() != 401,
                        proxy + " " + line + " → " + answer.status() + " " + answer.body());
                assertEquals(before, app.hits(), proxy + " " + line + ": the app never saw it");
            }
        }
    }

    @Test
    void browserIsSentToKeycloakAndBackToThePageItAskedFor() throws Exception {
        for (FrontProxy proxy : proxies()) {
            try (LoginBrowser browser = new LoginBrowser()) {
                String page = proxy.browserUrl() + "/reports/2024?view=full&x=%C3%A9";
                browser.driver.get(page);
                String authorize = browser.waitUntil(
                        d -> d.getCurrentUrl().contains("/protocol/openid-connect/auth") ? d.getCurrentUrl() : null);
                assertTrue(
                        authorize.contains("redirect_uri="
                                + URLEncoder.encode(proxy.browserUrl() + "/.sidecar/callback", StandardCharsets.UTF_8)),
                        proxy + ": " + authorize);
                browser.submitKeycloakLogin("demo", "demo");
                browser.waitUntil(d -> d.getCurrentUrl().startsWith(proxy.browserUrl() + "/reports") ? true : null);
                assertEquals(page, browser.driver.getCurrentUrl(), proxy + ": back at the URL first asked for");
                Map<String, String> seen = app.lastHeaders();
                assertEquals("demo", seen.get("X-Auth-Username"), proxy + ": " + seen);
                assertEquals("user", seen.get("X-Auth-Type"));
                assertFalse(seen.getOrDefault("Cookie", "").isEmpty() && seen.get("X-Auth-Subject") == null);
                browser.screenshot("forward-auth-" + proxy.name);
            }
        }
    }

    @Test
    void aClientKnowingOnlyTheAppUrlDiscoversKeycloakAndGetsIn() {
        for (FrontProxy proxy : proxies()) {
            String appUrl = proxy.url() + "/reports";
            Http.Reply first = get(appUrl, "Accept", "application/json");
            assertEquals(401, first.status());
            Matcher m = Pattern.compile("resource_metadata=\"([^\"]+)\"").matcher(first.header("WWW-Authenticate"));
            assertTrue(m.find(), first.header("WWW-Authenticate"));

            Http.Reply metadata = get(m.group(1));
            assertEquals(200, metadata.status(), metadata.printable());
            JsonNode resource = metadata.json();
            assertEquals(
                    proxy.url(), resource.get("resource").asText(), "RFC 9728 §3.3: the resource is the URL asked");
            assertEquals(
                    "header", resource.get("bearer_methods_supported").get(0).asText());
            String issuer = resource.get("authorization_servers").get(0).asText();
            assertEquals(realm.getBaseUrl(), issuer);

            JsonNode discovery =
                    get(issuer + "/.well-known/openid-configuration").json();
            assertEquals(issuer, discovery.get("issuer").asText());
            String tokenEndpoint = discovery.get("token_endpoint").asText();
            String basic = Base64.getEncoder()
                    .encodeToString((form(bot.get("clientId").asText()) + ":"
                                    + form(bot.get("clientSecret").asText()))
                            .getBytes(StandardCharsets.UTF_8));
            Http.Reply token = Http.send(HttpRequest.newBuilder(URI.create(tokenEndpoint))
                    .header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
            assertEquals(200, token.status(), token.printable());
            String accessToken = token.json().get("access_token").asText();

            int before = app.hits();
            Http.Reply in = get(appUrl, "Authorization", "Bearer " + accessToken);
            assertEquals(200, in.status(), proxy + ": " + in.printable());
            assertEquals(before + 1, app.hits());
            assertEquals(bot.get("clientId").asText(), app.lastHeaders().get("X-Auth-Client-Id"));
            assertNull(app.lastHeaders().get("Authorization"), proxy + ": the bearer stays with the sidecar");
            assertNotEquals(null, app.lastHeaders().get("X-Access-Jwt-Assertion"));
        }
    }

    private static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int port(String url) {
        return URI.create(url).getPort();
    }
}

package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.servicetokens.keycloak.it.Http;

/**
 * Issue 6 in a real browser: Keycloak 26.7.3's own login form, the sidecar jar as its own process with secure
 * cookies (the default), an HTML app behind it. Login, identity at the app, cookie flags, 401s for scripts,
 * logout of both sessions, Keycloak's back-channel logout, open redirects and forged states.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HumanLoginBrowserIT extends SidecarITBase {

    static final String SESSION_COOKIE = "__Host-sidecar";

    HtmlEchoApp app;
    SidecarProcess sidecar;
    String base;

    @BeforeEach
    void startSidecarOnce() throws Exception {
        if (sidecar != null) {
            return;
        }
        app = new HtmlEchoApp();
        sidecar = startSidecar(app.url(), Map.of("SIDECAR_COOKIES_SECURE", "true"));
        base = sidecar.browserUrl();
        DemoAppClient.pointAt(realm, sidecar);
    }

    @AfterAll
    void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void demoLogsInThroughKeycloakAndTheAppSeesAVerifiableIdentity() throws Exception {
        try (LoginBrowser browser = new LoginBrowser()) {
            browser.driver.get(base + "/reports/2024?view=full");
            String authorize = browser.waitUntil(
                    d -> d.getCurrentUrl().contains("/protocol/openid-connect/auth") ? d.getCurrentUrl() : null);
            for (String param : List.of(
                    "response_type=code",
                    "code_challenge_method=S256",
                    "code_challenge=",
                    "state=",
                    "nonce=",
                    "client_id=demo-app",
                    "redirect_uri=" + URLEncoder.encode(base + "/.sidecar/callback", StandardCharsets.UTF_8))) {
                assertTrue(authorize.contains(param), "authorization request carries " + param);
            }
            browser.submitKeycloakLogin("demo", "demo");
            browser.waitFor(By.id("app"));
            assertEquals(
                    base + "/reports/2024?view=full",
                    browser.driver.getCurrentUrl(),
                    "back at the URL first asked for");
            assertEquals(
                    "demo", browser.driver.findElement(By.id("x-auth-username")).getText(), "the app shows who it is");
            browser.screenshot("human-login-app-page");

            Map<String, String> seen = app.lastHeaders();
            assertEquals("user", seen.get("X-Auth-Type"));
            assertEquals("demo", seen.get("X-Auth-Username"));
            assertEquals("demo@example.com", seen.get("X-Auth-Email"));
            assertEquals("demo-app", seen.get("X-Auth-Client-Id"));
            assertTrue(seen.get("X-Auth-Roles").contains("reports-reader"), seen.get("X-Auth-Roles"));
            assertTrue(seen.get("X-Auth-Groups").contains("engineering"), seen.get("X-Auth-Groups"));
            String assertion = seen.get("X-Access-Jwt-Assertion");
            assertTrue(
                    RealmKeys.signedByRealm(realm.getBaseUrl(), assertion),
                    "the app can verify the assertion with the realm keys");
            JsonNode claims = Http.jwtPayload(assertion);
            assertEquals(realm.getBaseUrl(), claims.get("iss").asText());
            assertEquals(seen.get("X-Auth-Subject"), claims.get("sub").asText());
            assertTrue(
                    seen.getOrDefault("Cookie", "").indexOf("sidecar") < 0, "the session cookie never reaches the app");

            Cookie session = browser.cookie(SESSION_COOKIE);
            assertNotNull(session, "the session cookie, with the __Host- prefix");
            assertTrue(session.isHttpOnly(), "HttpOnly");
            assertTrue(session.isSecure(), "Secure");
            assertEquals("Lax", session.getSameSite());
            assertEquals("/", session.getPath());
            assertTrue(session.getValue().matches("[A-Za-z0-9_-]{43}"), "an opaque id, no token");
            int cookieHeader = 0;
            for (Cookie c : browser.driver.manage().getCookies()) {
                assertFalse(c.getValue().contains("eyJ"), c.getName() + " holds no JWT");
                cookieHeader += c.getName().length() + c.getValue().length() + 2;
            }
            assertTrue(cookieHeader < 8 * 1024, "all cookies fit an 8 KB header: " + cookieHeader);
            String scriptVisible = (String) browser.js("arguments[arguments.length - 1](document.cookie)");
            assertFalse(scriptVisible.contains(session.getValue()), "scripts cannot read the session");

            Object fromScript = browser.js("""
                    const done = arguments[arguments.length - 1];
                    fetch('/api/me', {headers: {'Accept': 'application/json'}}).then(r => r.text().then(t => done(r.status + ' ' + t)));
                    """);
            assertEquals("200 {\"user\":\"demo\"}", fromScript, "the session works for the page's own XHRs");
        }
    }

    @Test
    void withoutASessionScriptsAndFormsGet401JsonNeverARedirect() {
        for (Map<String, String> headers : List.of(
                Map.of("Accept", "application/json"),
                Map.of("Accept", "text/html", "X-Requested-With", "XMLHttpRequest"),
                Map.of("Accept", "*/*"))) {
            Http.Reply reply = get("/api/me", headers);
            assertEquals(401, reply.status(), headers.toString());
            assertNull(reply.header("Location"));
            assertEquals("no_credentials", reply.json().get("reason").asText());
        }
        Http.Reply post = Http.send(HttpRequest.newBuilder(URI.create(sidecar.url() + "/form"))
                .header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString("a=1")));
        assertEquals(401, post.status(), "a POST is never a navigation to redirect");
        Http.Reply stale =
                get("/api/me", Map.of("Accept", "application/json", "Cookie", SESSION_COOKIE + "=" + "A".repeat(43)));
        assertEquals(401, stale.status(), "an unknown session id");
        assertTrue(
                stale.headers().allValues("Set-Cookie").stream()
                        .anyMatch(c -> c.startsWith(SESSION_COOKIE + "=;") && c.contains("Max-Age=0")),
                "and the cookie is cleared");
    }

    @Test
    void logoutThroughTheSidecarEndsItsSessionAndKeycloaks() throws Exception {
        try (LoginBrowser browser = new LoginBrowser()) {
            String userId = realm.admin().users().search("demo", true).get(0).getId();
            Set<String> before = ssoSessions(userId);
            logIn(browser, "/");
            String cookie = browser.cookie(SESSION_COOKIE).getValue();
            Set<String> mine = new HashSet<>(ssoSessions(userId));
            mine.removeAll(before);
            assertEquals(1, mine.size(), "this browser's SSO session in Keycloak");

            Http.Reply noToken = postLogout(cookie, "", null);
            assertEquals(403, noToken.status(), "no CSRF token: " + noToken.body());
            Http.Reply wrongToken = postLogout(cookie, "csrf=" + "x".repeat(43), null);
            assertEquals(403, wrongToken.status(), "wrong CSRF token");
            Http.Reply crossSite = postLogout(cookie, "csrf=whatever", "https://evil.example");
            assertEquals(403, crossSite.status(), "a form posted from another origin");
            assertEquals(
                    200,
                    get("/api/me", Map.of("Accept", "application/json", "Cookie", SESSION_COOKIE + "=" + cookie))
                            .status(),
                    "none of those ended the session");

            browser.driver.get(base + "/.sidecar/logout");
            browser.waitFor(By.id("sign-out")).click();
            try {
                browser.waitUntil(d -> d.getCurrentUrl().startsWith(base + "/.sidecar/logged-out") ? true : null);
            } catch (RuntimeException e) {
                browser.screenshot("human-logout-stuck");
                throw new AssertionError(
                        "sign-out ended at "
                                + browser.driver.getCurrentUrl().replaceAll("id_token_hint=[^&]+", "id_token_hint=***"),
                        e);
            }
            browser.waitFor(By.id("sign-in"));
            assertNull(browser.cookie(SESSION_COOKIE), "the browser forgot the session");
            assertEquals(
                    401,
                    get("/api/me", Map.of("Accept", "application/json", "Cookie", SESSION_COOKIE + "=" + cookie))
                            .status(),
                    "the old cookie is worthless");
            assertFalse(ssoSessions(userId).containsAll(mine), "Keycloak's SSO session ended too");

            browser.driver.get(base + "/");
            browser.waitFor(By.id("kc-login"));
            assertTrue(browser.showsKeycloakLogin(), "the next navigation asks for the password again");
        }
    }

    /**
     * The demo's own page (demo/SampleApp.java, run as the demo runs it) and its "Log out" button: the button leads
     * to the sidecar's confirmation page, whose form carries the CSRF token, and signing out there ends both sessions.
     */
    @Test
    void theDemoAppsLogOutButtonSignsOutOfTheSidecarAndKeycloak() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process sampleApp = new ProcessBuilder(
                        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        java.nio.file.Path.of("..", "demo", "SampleApp.java").toString(),
                        Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(
                        java.nio.file.Path.of("target", "sample-app.log").toFile())
                .start();
        SidecarProcess demoSidecar = null;
        try (LoginBrowser browser = new LoginBrowser()) {
            awaitPort(port, sampleApp);
            demoSidecar = startSidecar("http://127.0.0.1:" + port, Map.of("SIDECAR_COOKIES_SECURE", "true"));
            DemoAppClient.allowLoginAt(realm, demoSidecar);
            String demoBase = demoSidecar.browserUrl();
            String userId = realm.admin().users().search("demo", true).get(0).getId();
            Set<String> before = ssoSessions(userId);

            browser.driver.get(demoBase + "/");
            browser.submitKeycloakLogin("demo", "demo");
            browser.waitFor(By.id("identity"));
            assertTrue(browser.driver.getPageSource().contains("Hello from the sample app"));
            Set<String> mine = new HashSet<>(ssoSessions(userId));
            mine.removeAll(before);
            assertEquals(1, mine.size(), "this browser's SSO session in Keycloak");

            browser.waitFor(By.id("log-out")).click();
            browser.waitFor(By.id("sign-out"));
            assertFalse(
                    browser.driver.getPageSource().contains("expired"), "the confirmation page, not the expired form");
            browser.screenshot("demo-log-out-confirmation");
            browser.driver.findElement(By.id("sign-out")).click();
            try {
                browser.waitUntil(d -> d.getCurrentUrl().startsWith(demoBase + "/.sidecar/logged-out") ? true : null);
            } catch (RuntimeException e) {
                browser.screenshot("demo-log-out-stuck");
                throw new AssertionError(
                        "sign-out ended at "
                                + browser.driver.getCurrentUrl().replaceAll("id_token_hint=[^&]+", "id_token_hint=***"),
                        e);
            }
            browser.waitFor(By.id("sign-in"));
            assertNull(browser.cookie(SESSION_COOKIE), "the browser forgot the session");
            assertFalse(ssoSessions(userId).containsAll(mine), "Keycloak's SSO session ended too");
            browser.driver.get(demoBase + "/");
            browser.waitFor(By.id("kc-login"));
        } finally {
            if (demoSidecar != null) {
                demoSidecar.close();
            }
            sampleApp.destroy();
            sampleApp.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static void awaitPort(int port, Process process) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("demo/SampleApp.java exited with " + process.exitValue());
            }
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("demo/SampleApp.java did not listen on " + port + " within 60 s");
    }

    @Test
    void keycloakAdminLogoutReachesTheSidecarWithinFiveSeconds() throws Exception {
        try (LoginBrowser browser = new LoginBrowser()) {
            logIn(browser, "/");
            String cookie = browser.cookie(SESSION_COOKIE).getValue();
            Map<String, String> asScript =
                    Map.of("Accept", "application/json", "Cookie", SESSION_COOKIE + "=" + cookie);
            assertEquals(200, get("/api/me", asScript).status());

            String userId = realm.admin().users().search("demo", true).get(0).getId();
            long revokedBefore = occurrences(sidecar.log(), "\"reason\":\"session_revoked\"");
            Instant loggedOut = Instant.now();
            realm.admin().users().get(userId).logout();
            while (get("/api/me", asScript).status() != 401) {
                assertTrue(Duration.between(loggedOut, Instant.now()).toMillis() < 5_000, "refused within 5 s");
                Thread.sleep(50);
            }
            long millis = Duration.between(loggedOut, Instant.now()).toMillis();
            System.out.println(
                    "Keycloak admin 'logout user' -> sidecar refuses the old session cookie after " + millis + " ms");
            // The access log is flushed twice a second.
            Instant logDeadline = Instant.now().plusSeconds(3);
            while (occurrences(sidecar.log(), "\"reason\":\"session_revoked\"") == revokedBefore
                    && Instant.now().isBefore(logDeadline)) {
                Thread.sleep(100);
            }
            assertTrue(
                    occurrences(sidecar.log(), "\"reason\":\"session_revoked\"") > revokedBefore,
                    "refused because of the back-channel logout (sid)");

            browser.driver.get(base + "/somewhere");
            browser.waitFor(By.id("kc-login"));
        }
    }

    @Test
    void returnUrlsOutsideThisOriginAllLandOnTheRoot() throws Exception {
        try (LoginBrowser browser = new LoginBrowser()) {
            logIn(browser, "/");
            List<String> attacks = List.of(
                    "//evil.example/",
                    "/\\evil.example",
                    "https://evil.example/",
                    "http:evil.example",
                    "/%2F%2Fevil.example",
                    "%2F%2Fevil.example",
                    "/%5Cevil.example",
                    "/%09/evil.example",
                    "javascript:alert(1)",
                    "/.sidecar/logout",
                    "///evil.example",
                    "\\\\evil.example");
            for (String attack : attacks) {
                browser.driver.get(base + "/.sidecar/login?rd=" + URLEncoder.encode(attack, StandardCharsets.UTF_8));
                browser.waitFor(By.id("app"));
                assertEquals(base + "/", browser.driver.getCurrentUrl(), "rd=" + attack);
            }
            // The same route does keep a genuine return URL, so the assertions above could fail.
            browser.driver.get(
                    base + "/.sidecar/login?rd=" + URLEncoder.encode("/reports?year=2024", StandardCharsets.UTF_8));
            browser.waitFor(By.id("app"));
            assertEquals(base + "/reports?year=2024", browser.driver.getCurrentUrl());
        }
    }

    @Test
    void aForgedOrForeignStateIsRefused() throws Exception {
        try (LoginBrowser browser = new LoginBrowser()) {
            browser.driver.get(base + "/private");
            String authorize = browser.waitUntil(
                    d -> d.getCurrentUrl().contains("/protocol/openid-connect/auth") ? d.getCurrentUrl() : null);
            String realState = authorize.replaceAll(".*[?&]state=([^&]+).*", "$1");
            browser.waitFor(By.id("kc-login"));

            browser.driver.get(base + "/.sidecar/callback?code=forged-code&state=" + "A".repeat(43));
            browser.waitUntil(d -> d.getPageSource().contains("Sign-in failed") ? true : null);
            assertNull(browser.cookie(SESSION_COOKIE), "no session from a state we never issued");

            // The browser's real state, replayed by someone else (no login cookie of that browser): refused.
            Http.Reply foreign =
                    get("/.sidecar/callback?code=stolen-code&state=" + realState, Map.of("Accept", "application/json"));
            assertEquals(400, foreign.status(), foreign.body());
            assertEquals(
                    "state_not_from_this_browser", foreign.json().get("reason").asText());
            assertTrue(foreign.headers().allValues("Set-Cookie").isEmpty(), "no cookie for the foreign caller");

            Http.Reply garbage = get("/.sidecar/callback?code=x&state=%3Cscript%3E", Map.of("Accept", "text/html"));
            assertEquals(400, garbage.status());
            assertFalse(garbage.body().contains("<script>"), "nothing echoed");
        }
    }

    private Set<String> ssoSessions(String userId) {
        Set<String> ids = new HashSet<>();
        realm.admin().users().get(userId).getUserSessions().forEach(s -> ids.add(s.getId()));
        return ids;
    }

    private static long occurrences(String text, String needle) {
        return (text.length() - text.replace(needle, "").length()) / needle.length();
    }

    private void logIn(LoginBrowser browser, String path) {
        browser.driver.get(base + path);
        browser.submitKeycloakLogin("demo", "demo");
        browser.waitFor(By.id("app"));
        assertNotNull(browser.cookie(SESSION_COOKIE), "logged in");
    }

    private Http.Reply postLogout(String cookie, String form, String origin) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sidecar.url() + "/.sidecar/logout"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", SESSION_COOKIE + "=" + cookie)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return Http.send(request);
    }

    private Http.Reply get(String path, Map<String, String> headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(sidecar.url() + path)).GET();
        headers.forEach(request::header);
        return Http.send(request);
    }
}

package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * Human login against the fake realm: the authorization request, the callback's checks (state bound to the
 * browser, PKCE, nonce), the session, single-flight refresh, refresh failures, back-channel logout by sid and
 * the logout endpoint. The real-browser, real-Keycloak version is it/HumanLoginBrowserIT.
 */
class BrowserSessionTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> c.app.clientSecret = "demo-app-secret");

    @BeforeEach
    void reset() {
        h.keycloak.userTokenLifetimeSeconds = 300;
        h.keycloak.refuseRefresh = false;
        h.keycloak.tokenMode = FakeKeycloak.Mode.OK;
        h.keycloak.tokenDelayMs = 0;
        h.upstream.reset();
    }

    /** The browser's side of the redirect to Keycloak. */
    record Started(Map<String, String> params, String loginCookie) {}

    static Started startLogin(String path) {
        Http.Response r = h.http.get(path, "Accept", "text/html");
        assertEquals(302, r.status(), r.body());
        URI location = URI.create(r.header("Location"));
        Map<String, String> params = new HashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String cookie = r.headers().getAll("Set-Cookie").get(0);
        return new Started(params, cookie.substring(0, cookie.indexOf(';')));
    }

    static Http.Response callback(Started s, String code, String cookie) {
        return h.http.get(
                "/.sidecar/callback?code=" + code + "&state=" + s.params().get("state"),
                "Accept",
                "application/json",
                "Cookie",
                cookie);
    }

    /** A complete login; returns the session cookie as "name=value". */
    static String logIn(String sub, String sid) {
        Started s = startLogin("/page?x=1");
        String code = h.keycloak.issueCode(
                sub,
                sid,
                s.params().get("code_challenge"),
                s.params().get("nonce"),
                s.params().get("redirect_uri"));
        Http.Response cb = callback(s, code, s.loginCookie());
        assertEquals(302, cb.status(), cb.body());
        assertEquals("/page?x=1", cb.header("Location"));
        String cookie = cb.headers().getAll("Set-Cookie").stream()
                .filter(c -> c.startsWith("__Host-sidecar="))
                .findFirst()
                .orElseThrow();
        assertTrue(
                cookie.contains("; HttpOnly") && cookie.contains("; Secure") && cookie.contains("; SameSite=Lax"),
                cookie);
        return cookie.substring(0, cookie.indexOf(';'));
    }

    @Test
    void theAuthorizationRequestUsesPkceStateAndNonce() {
        Started s = startLogin("/reports?y=1");
        Map<String, String> p = s.params();
        assertEquals("demo-app", p.get("client_id"));
        assertEquals("code", p.get("response_type"));
        assertEquals("S256", p.get("code_challenge_method"));
        assertEquals(43, p.get("code_challenge").length());
        assertEquals(43, p.get("state").length());
        assertEquals(43, p.get("nonce").length());
        assertEquals("http://127.0.0.1:" + h.sidecar.port() + "/.sidecar/callback", p.get("redirect_uri"));
        assertTrue(s.loginCookie().startsWith("__Host-sidecar-login-"), s.loginCookie());
        assertTrue(startLogin("/a").params().get("state") != null
                && !startLogin("/a").params().get("state").equals(p.get("state")));
    }

    @Test
    void aLoginCreatesASessionAndTheAppSeesTheUser() {
        String session = logIn("user-7", "sid-7");
        Http.Response r = h.http.get("/page", "Accept", "text/html", "Cookie", session + "; app=1");
        assertEquals(200, r.status(), r.body());
        var seen = h.upstream.last().headers();
        assertEquals("user-7", seen.get("X-Auth-Subject"));
        assertEquals("user", seen.get("X-Auth-Type"));
        assertEquals("app=1", seen.get("Cookie"), "the app keeps its cookies and never sees ours");
        Http.Response id = h.http.get("/.sidecar/identity", "Cookie", session);
        assertEquals("user-7", new JsonObject(id.body()).getString("subject"));
    }

    @Test
    void theCallbackRefusesStatesNotStartedByThisBrowser() {
        Started s = startLogin("/x");
        String code = h.keycloak.issueCode(
                "u",
                "sid",
                s.params().get("code_challenge"),
                s.params().get("nonce"),
                s.params().get("redirect_uri"));
        assertEquals(
                "state_not_from_this_browser", reason(callback(s, code, "__Host-sidecar-login=" + "B".repeat(43))));
        String cookieName = s.loginCookie().substring(0, s.loginCookie().indexOf('='));
        String tampered = s.loginCookie().substring(0, s.loginCookie().length() - 2)
                + (s.loginCookie().endsWith("A") ? "BB" : "AA");
        assertEquals("unknown_state", reason(callback(s, code, tampered)), "a tampered login cookie opens nothing");
        assertEquals(
                "unknown_state",
                reason(callback(
                        s,
                        code,
                        "__Host-sidecar-login-AAAAAAAAAAAA" + s.loginCookie().substring(cookieName.length()))),
                "a sealed login moved to another name opens nothing");
        // Someone else's refused attempt does not burn this browser's login (nothing is stored on the server).
        Http.Response done = callback(s, code, s.loginCookie());
        assertEquals(302, done.status(), done.body());
        assertTrue(
                done.headers()
                        .getAll("Set-Cookie")
                        .contains(cookieName + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"),
                "the callback clears the state's cookie: " + done.headers().getAll("Set-Cookie"));
        assertEquals(
                "invalid_grant",
                reason(callback(s, code, s.loginCookie())),
                "a copied cookie replays only a redeemed code");

        Started other = startLogin("/x");
        assertEquals("state_not_from_this_browser", reason(callback(other, code, "")));
        assertEquals(
                "invalid_state",
                reason(h.http.get("/.sidecar/callback?code=c&state=short", "Cookie", s.loginCookie())));
        assertEquals(
                "unknown_state",
                reason(h.http.get("/.sidecar/callback?code=c&state=" + "C".repeat(43), "Cookie", s.loginCookie())));
    }

    @Test
    void theCodeNeedsTheVerifierAndTheIdTokenTheNonce() {
        Started wrongChallenge = startLogin("/x");
        String code = h.keycloak.issueCode(
                "u",
                "sid",
                "not-the-challenge",
                wrongChallenge.params().get("nonce"),
                wrongChallenge.params().get("redirect_uri"));
        assertEquals("invalid_grant", reason(callback(wrongChallenge, code, wrongChallenge.loginCookie())));

        Started wrongNonce = startLogin("/x");
        code = h.keycloak.issueCode(
                "u",
                "sid",
                wrongNonce.params().get("code_challenge"),
                "another-nonce",
                wrongNonce.params().get("redirect_uri"));
        Http.Response r = callback(wrongNonce, code, wrongNonce.loginCookie());
        assertEquals("id_token_nonce_mismatch", reason(r));
        assertTrue(
                r.headers().getAll("Set-Cookie").stream().noneMatch(c -> c.startsWith("__Host-sidecar=")),
                "no session");
    }

    private static final String REFRESHES = "sidecar_session_refreshes_total";

    @Test
    void parallelRequestsDuringARefreshShareOneCallAndAllSucceed() {
        h.keycloak.userTokenLifetimeSeconds = 20; // inside the 30 s refresh window from the start
        String session = logIn("user-r", "sid-r");
        h.keycloak.tokenDelayMs = 300;
        int before = h.keycloak.refreshCalls.get();
        double succeeded = Harness.metric(h.management(), REFRESHES + "{outcome=\"success\"}");
        List<Future<Http.Response>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(h.http.sendAsync(
                    HttpMethod.GET, "/api/item/" + i, null, "Accept", "application/json", "Cookie", session));
        }
        Http.await(Future.join(burst));
        for (Future<Http.Response> f : burst) {
            assertEquals(200, f.result().status(), f.result().body());
        }
        assertEquals(1, h.keycloak.refreshCalls.get() - before, "one refresh for twenty requests");
        assertEquals(succeeded + 1, Harness.metric(h.management(), REFRESHES + "{outcome=\"success\"}"));
    }

    @Test
    void aRefusedRefreshEndsTheSessionCleanly() {
        h.keycloak.userTokenLifetimeSeconds = 20;
        String session = logIn("user-x", "sid-x");
        h.keycloak.refuseRefresh = true;
        double rejected = Harness.metric(h.management(), REFRESHES + "{outcome=\"rejected\"}");
        Http.Response api = h.http.get("/api/x", "Accept", "application/json", "Cookie", session);
        assertEquals(401, api.status());
        assertEquals(rejected + 1, Harness.metric(h.management(), REFRESHES + "{outcome=\"rejected\"}"));
        assertEquals("session_ended", new JsonObject(api.body()).getString("reason"));
        assertTrue(api.headers().getAll("Set-Cookie").stream()
                .anyMatch(c -> c.startsWith("__Host-sidecar=;") && c.contains("Max-Age=0")));
        Http.Response page = h.http.get("/page", "Accept", "text/html", "Cookie", session);
        assertEquals(302, page.status(), "a navigation goes to log in again");
        assertTrue(
                page.headers().getAll("Set-Cookie").stream().anyMatch(c -> c.startsWith("__Host-sidecar=;")),
                "ended cookie cleared");
        assertTrue(
                page.headers().getAll("Set-Cookie").stream().anyMatch(c -> c.startsWith("__Host-sidecar-login-")),
                "new login bound");
        assertTrue(page.header("Location").startsWith(h.keycloak.issuer()));
        assertEquals(0, h.upstream.hits.get());
    }

    @Test
    void keycloakDownDuringARefreshKeepsTheStillValidToken() {
        h.keycloak.userTokenLifetimeSeconds = 20;
        String session = logIn("user-d", "sid-d");
        h.keycloak.tokenMode = FakeKeycloak.Mode.ERROR_503;
        double unavailable = Harness.metric(h.management(), REFRESHES + "{outcome=\"unavailable\"}");
        assertEquals(
                200,
                h.http.get("/api/x", "Accept", "application/json", "Cookie", session)
                        .status());
        assertEquals(unavailable + 1, Harness.metric(h.management(), REFRESHES + "{outcome=\"unavailable\"}"));
    }

    @Test
    void keycloaksBackChannelLogoutOfTheSidEndsTheSession() {
        String session = logIn("user-b", "sid-b");
        String other = logIn("user-b", "sid-other");
        assertEquals(
                200,
                h.http.get("/api/x", "Accept", "application/json", "Cookie", session)
                        .status());
        long now = System.currentTimeMillis() / 1000;
        String token = h.key.sign(
                new JsonObject().put("alg", "RS256").put("typ", "logout+jwt").put("kid", "k1"),
                new JsonObject()
                        .put("iss", h.keycloak.issuer())
                        .put("aud", "demo-app")
                        .put("iat", now)
                        .put("exp", now + 120)
                        .put("jti", UUID.randomUUID().toString())
                        .put("sid", "sid-b")
                        .put(
                                "events",
                                new JsonObject()
                                        .put("http://schemas.openid.net/event/backchannel-logout", new JsonObject())));
        Http.Response logout = h.http.send(
                HttpMethod.POST,
                "/.sidecar/backchannel-logout",
                Buffer.buffer("logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)),
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertEquals(200, logout.status(), logout.body());
        Http.Response after = h.http.get("/api/x", "Accept", "application/json", "Cookie", session);
        assertEquals(401, after.status());
        assertEquals("session_revoked", new JsonObject(after.body()).getString("reason"));
        assertEquals(
                200,
                h.http.get("/api/x", "Accept", "application/json", "Cookie", other)
                        .status(),
                "another session of the user lives on");
    }

    @Test
    void logoutNeedsTheFormsCsrfTokenAndGoesToKeycloaksEndSession() {
        String session = logIn("user-l", "sid-l");
        Http.Response page = h.http.get("/.sidecar/logout", "Accept", "text/html", "Cookie", session);
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Security-Policy").contains("frame-ancestors 'none'"));
        assertEquals(
                "same-origin",
                page.header("Referrer-Policy"),
                "under no-referrer Chromium posts the form with Origin: null");
        String csrf = page.body().replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        assertEquals(43, csrf.length(), page.body());

        assertEquals(403, postLogout(session, "csrf=" + "x".repeat(43), null).status());
        assertEquals(403, postLogout(session, "", null).status(), "a script without the token");
        Http.Response appsOwnButton = h.http.send(
                HttpMethod.POST,
                "/.sidecar/logout",
                Buffer.buffer(""),
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Cookie",
                session,
                "Accept",
                "text/html",
                "Origin",
                "http://127.0.0.1:" + h.sidecar.port());
        assertEquals(200, appsOwnButton.status(), "an app's own form without the token gets the confirmation page");
        assertTrue(appsOwnButton.body().contains("name=\"csrf\" value=\"" + csrf + "\""), appsOwnButton.body());
        assertEquals(
                403,
                h.http.send(
                                HttpMethod.POST,
                                "/.sidecar/logout",
                                Buffer.buffer(""),
                                "Content-Type",
                                "application/x-www-form-urlencoded",
                                "Cookie",
                                session,
                                "Accept",
                                "text/html",
                                "Origin",
                                "https://evil.example")
                        .status(),
                "from another origin it is still refused");
        assertEquals(
                403, postLogout(session, "csrf=" + csrf, "https://evil.example").status(), "cross-origin");
        assertEquals(
                200,
                h.http.get("/api/x", "Accept", "application/json", "Cookie", session)
                        .status(),
                "still signed in");

        Http.Response out = postLogout(session, "csrf=" + csrf, "http://127.0.0.1:" + h.sidecar.port());
        assertEquals(302, out.status(), out.body());
        String location = out.header("Location");
        assertTrue(
                location.startsWith(h.keycloak.issuer() + "/protocol/openid-connect/logout?client_id=demo-app"),
                location);
        assertTrue(location.contains("&id_token_hint=ey"), "id_token_hint");
        assertTrue(
                location.contains("&post_logout_redirect_uri="
                        + URLEncoder.encode(
                                "http://127.0.0.1:" + h.sidecar.port() + "/.sidecar/logged-out",
                                StandardCharsets.UTF_8)),
                location);
        assertTrue(out.headers().getAll("Set-Cookie").stream().anyMatch(c -> c.startsWith("__Host-sidecar=;")));
        assertEquals(
                401,
                h.http.get("/api/x", "Accept", "application/json", "Cookie", session)
                        .status(),
                "the session is gone");
        assertEquals(200, h.http.get("/.sidecar/logged-out").status());
    }

    private static Http.Response postLogout(String session, String form, String origin) {
        List<String> headers =
                new ArrayList<>(List.of("Content-Type", "application/x-www-form-urlencoded", "Cookie", session));
        if (origin != null) {
            headers.addAll(List.of("Origin", origin));
        }
        return h.http.send(HttpMethod.POST, "/.sidecar/logout", Buffer.buffer(form), headers.toArray(String[]::new));
    }

    private static String reason(Http.Response r) {
        assertEquals(400, r.status(), r.body());
        assertNull(r.header("Location"));
        return r.body().contains("{") ? new JsonObject(r.body()).getString("reason") : r.body();
    }
}

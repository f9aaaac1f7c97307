package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.pipeline.AccessLog;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.LogCapture;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * Everything an anonymous client can make the sidecar store is bounded and never pushes out real users' state
 * (issue 11, kind 12): pending logins (in the browser, not the sessions cache), values taken from the request (return
 * URL, Host), negative exchange entries, logout-token jtis, access-log fields and metric label values.
 */
class AnonymousStateTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> {
        c.app.clientSecret = "demo-app-secret";
        c.sessions.maxEntries = 50;
        c.exchange.maxEntries = 50;
        c.exchange.callsPerSecond = 10_000;
        c.exchange.callsBurst = 10_000;
        c.exchange.callsPerClientPerMinute = 10_000;
    });

    private static double entries(String cache) {
        return Harness.metric(h.management(), "sidecar_cache_entries{cache=\"" + cache + "\"}");
    }

    /** A browser's cookie jar: Set-Cookie applied as a browser would (Max-Age=0 deletes). */
    private static void apply(Map<String, String> jar, Http.Response r) {
        for (String c : r.headers().getAll("Set-Cookie")) {
            String pair = c.substring(0, c.indexOf(';'));
            String name = pair.substring(0, pair.indexOf('='));
            if (c.contains("Max-Age=0")) {
                jar.remove(name);
            } else {
                jar.put(name, pair.substring(pair.indexOf('=') + 1));
            }
        }
    }

    private static String cookieHeader(Map<String, String> jar) {
        return String.join(
                "; ",
                jar.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
    }

    private static Map<String, String> query(String location) {
        Map<String, String> p = new HashMap<>();
        for (String pair : URI.create(location).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            p.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return p;
    }

    /** Logs in through the fake realm from {@code path}; returns the callback's answer. */
    private static Http.Response logIn(Map<String, String> jar, String path, String sub) {
        Http.Response start = h.http.get(path, "Accept", "text/html", "Cookie", cookieHeader(jar));
        assertEquals(302, start.status(), start.body());
        apply(jar, start);
        Map<String, String> p = query(start.header("Location"));
        String code =
                h.keycloak.issueCode(sub, "sid-" + sub, p.get("code_challenge"), p.get("nonce"), p.get("redirect_uri"));
        Http.Response cb = h.http.get(
                "/.sidecar/callback?code=" + code + "&state=" + p.get("state"),
                "Accept",
                "application/json",
                "Cookie",
                cookieHeader(jar));
        apply(jar, cb);
        return cb;
    }

    @Test
    void threeHundredAnonymousNavigationsStoreNothingAndLogNoOneOut() {
        Map<String, String> alice = new LinkedHashMap<>();
        assertEquals(302, logIn(alice, "/home", "alice").status());
        assertEquals(
                200,
                h.http.get("/app", "Accept", "application/json", "Cookie", cookieHeader(alice))
                        .status());
        double sessionsBefore = entries("sessions");
        List<Future<Http.Response>> anonymous = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            anonymous.add(h.http.sendAsync(
                    HttpMethod.GET, "/page/" + i + "?q=" + "x".repeat(900), null, "Accept", "text/html"));
        }
        for (Future<Http.Response> f : anonymous) {
            Http.Response r = Http.await(f);
            assertEquals(302, r.status());
            List<String> cookies = r.headers().getAll("Set-Cookie");
            assertEquals(1, cookies.size());
            assertTrue(
                    cookies.get(0).length() < 2600,
                    "one small login cookie: " + cookies.get(0).length());
        }
        assertEquals(sessionsBefore, entries("sessions"), "pending logins are not in the sessions cache");
        assertEquals(
                200,
                h.http.get("/app", "Accept", "application/json", "Cookie", cookieHeader(alice))
                        .status(),
                "with sessions.max-entries 50, 300 anonymous navigations logged no one out");
    }

    @Test
    void aBrowserKeepsAFewPendingLoginsAndLongReturnUrlsAreNotKept() {
        Map<String, String> jar = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            Http.Response r = h.http.get("/tab/" + i, "Accept", "text/html", "Cookie", cookieHeader(jar));
            assertEquals(302, r.status());
            apply(jar, r);
        }
        assertEquals(3, jar.size(), "at most three pending logins per browser: " + jar.keySet());

        Map<String, String> other = new LinkedHashMap<>();
        Http.Response cb = logIn(other, "/long?" + "y".repeat(1500), "bob");
        assertEquals(302, cb.status(), cb.body());
        assertEquals("/", cb.header("Location"), "a return URL over 1024 characters is not carried");
        assertTrue(
                other.keySet().stream().noneMatch(n -> n.contains("-login-")), "the callback cleared the login cookie");
    }

    @Test
    void aHugeHostIsRefusedAndStoresNothing() {
        Http.Response r = h.http.raw("GET /p HTTP/1.1\r\nHost: " + "h".repeat(15_000)
                + "\r\nAccept: text/html\r\nConnection: close\r\n\r\n");
        assertEquals(400, r.status(), r.body());
        assertFalse(r.body().contains("hhhh"), "nothing echoed");
    }

    @Test
    void aFloodOfWrongSecretsDoesNotPushOutARealBotsToken() {
        h.keycloak.clients.put(
                "real-bot",
                new FakeKeycloak.Client(TestSecrets.of("real-bot"), "sub-real", "real", List.of("demo-app")));
        String[] real = {"KC-Access-Client-Id", "real-bot", "KC-Access-Client-Secret", TestSecrets.of("real-bot")};
        assertEquals(200, h.http.get("/r", real).status());
        int calls = h.keycloak.tokenCalls.get();
        List<Future<Http.Response>> flood = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            flood.add(h.http.sendAsync(
                    HttpMethod.GET,
                    "/f",
                    null,
                    "KC-Access-Client-Id",
                    "junk-" + i,
                    "KC-Access-Client-Secret",
                    TestSecrets.random()));
        }
        flood.forEach(f -> assertEquals(401, Http.await(f).status()));
        assertTrue(
                entries("exchange-failures") <= 50,
                "negative entries stay within their own bound: " + entries("exchange-failures"));
        assertEquals(200, h.http.get("/r", real).status());
        assertEquals(
                calls + 300, h.keycloak.tokenCalls.get(), "the real bot's token is still cached: no new call for it");
    }

    @Test
    void forgedLogoutTokensWriteNothing() {
        String unsigned = Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("{\"alg\":\"none\",\"typ\":\"logout+jwt\"}".getBytes())
                + "."
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(("{\"sub\":\"x\",\"jti\":\"" + UUID.randomUUID() + "\"}").getBytes())
                + ".";
        for (int i = 0; i < 100; i++) {
            String token = i % 2 == 0 ? unsigned : "junk." + UUID.randomUUID() + ".x";
            Http.Response r = h.http.send(
                    HttpMethod.POST,
                    "/.sidecar/backchannel-logout",
                    Buffer.buffer("logout_token=" + token),
                    "Content-Type",
                    "application/x-www-form-urlencoded");
            assertEquals(400, r.status());
        }
        assertEquals(0.0, entries("logout-jtis"), "a jti is remembered only for a verified logout token");
        assertEquals(0.0, entries("revocations"));
    }

    @Test
    void metricLabelsAndAccessLogFieldsDoNotGrowWithRequestData() {
        try (LogCapture access = new LogCapture(AccessLog.LOGGER)) {
            int before = series();
            String marker = "zq" + UUID.randomUUID().toString().replace("-", "");
            for (int i = 0; i < 60; i++) {
                String junk = marker + i;
                switch (i % 6) {
                    case 0 -> h.http.get("/" + junk + "/" + "p".repeat(2000));
                    case 1 -> h.http.get("/x", "Authorization", "Bearer " + junk);
                    case 2 ->
                        h.http.get(
                                "/x",
                                "Authorization",
                                "Basic " + Base64.getEncoder().encodeToString((junk + ":" + junk).getBytes()));
                    case 3 ->
                        h.http.get("/x", "Cookie", "__Host-sidecar=" + junk + "; __Host-sidecar-login-" + junk + "=1");
                    case 4 -> h.http.get("/x", "Authorization", junk + " " + junk);
                    default ->
                        h.http.raw("M" + junk.toUpperCase().replaceAll("[^A-Z]", "") + "M".repeat(300)
                                + " /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
                }
            }
            String metrics = h.management().get("/metrics").body();
            assertFalse(metrics.contains(marker), "no request data in any label");
            assertTrue(
                    series() - before <= 12,
                    "a few fixed reasons at most, not one series per request: " + (series() - before));
            for (String line : access.lines) {
                JsonObject j = new JsonObject(line);
                assertTrue(
                        j.getString("method").length() <= 32
                                && (j.getString("path") == null
                                        || j.getString("path").length() <= 512),
                        line);
            }
        }
    }

    private static int series() {
        return (int) h.management()
                .get("/metrics")
                .body()
                .lines()
                .filter(l -> l.startsWith("sidecar_"))
                .count();
    }
}

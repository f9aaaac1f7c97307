package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * A logged-in user replaying login → Keycloak (SSO cookie, no password) → callback cannot fill the bounded sessions
 * cache and evict other users: {@code sessions.max-per-subject} ends that subject's oldest session instead.
 */
class SessionCapTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> {
        c.app.clientSecret = "demo-app-secret";
        c.sessions.maxEntries = 50;
        c.sessions.maxPerSubject = 3;
    });

    /** A full login of {@code sub} from a fresh browser (no cookies); returns its session cookie. */
    private static String logIn(String sub) {
        Http.Response start = h.http.get("/page", "Accept", "text/html");
        assertEquals(302, start.status(), start.body());
        Map<String, String> p = new HashMap<>();
        for (String pair : URI.create(start.header("Location")).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            p.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String loginCookie = start.headers().getAll("Set-Cookie").get(0).split(";")[0];
        String code =
                h.keycloak.issueCode(sub, "sid-" + sub, p.get("code_challenge"), p.get("nonce"), p.get("redirect_uri"));
        Http.Response callback = h.http.get(
                "/.sidecar/callback?code=" + code + "&state=" + p.get("state"),
                "Accept",
                "application/json",
                "Cookie",
                loginCookie);
        assertEquals(302, callback.status(), callback.body());
        return callback.headers().getAll("Set-Cookie").stream()
                .filter(c -> c.startsWith("__Host-sidecar="))
                .findFirst()
                .orElseThrow()
                .split(";")[0];
    }

    private static int status(String session) {
        return h.http.get("/app", "Accept", "application/json", "Cookie", session)
                .status();
    }

    @Test
    void threeHundredLoginsOfOneUserEndOnlyThatUsersOldestSessions() {
        String bob = logIn("user-b");
        assertEquals(200, status(bob));
        List<String> alice = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            alice.add(logIn("user-a"));
        }
        assertEquals(200, status(bob), "with sessions.max-entries 50, user A's 300 logins did not evict user B");
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < alice.size(); i++) {
            if (status(alice.get(i)) == 200) {
                alive.add(i);
            }
        }
        assertEquals(List.of(297, 298, 299), alive, "A keeps its 3 newest sessions; the oldest were ended first");
    }
}

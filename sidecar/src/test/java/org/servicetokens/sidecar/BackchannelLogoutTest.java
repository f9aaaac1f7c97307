package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.LogoutTokens;
import org.servicetokens.sidecar.support.TestKey;
import org.servicetokens.sidecar.support.TestSecrets;

/** The revocation receiver: what a valid logout token does, and every way a bad one is refused. */
class BackchannelLogoutTest {

    @RegisterExtension
    static final Harness h = new Harness();

    private static JsonObject logoutClaims(String sub) {
        return LogoutTokens.claims(h, sub);
    }

    private static String sign(JsonObject claims) {
        return LogoutTokens.sign(h, claims);
    }

    private static Http.Response post(String logoutToken) {
        return LogoutTokens.post(h, logoutToken);
    }

    private static String userToken(String sub, long iat) {
        return h.keycloak.token(h.keycloak.claims(sub).put("iat", iat));
    }

    @Test
    void validLogoutTokenRevokesOlderTokensOfTheSubject() {
        long now = System.currentTimeMillis() / 1000;
        String old = userToken("victim", now - 60);
        assertEquals(200, h.http.get("/a", "Authorization", "Bearer " + old).status(), "verified and cached before");
        JsonObject claims = logoutClaims("victim").put("iat", now - 5);
        assertEquals(200, post(sign(claims)).status());
        Http.Response r = h.http.get("/a", "Authorization", "Bearer " + old);
        assertEquals(401, r.status());
        assertEquals("revoked", new JsonObject(r.body()).getString("reason"));
        assertEquals(
                200,
                h.http.get("/a", "Authorization", "Bearer " + userToken("victim", now))
                        .status(),
                "tokens issued after the cut-off work");
        assertEquals(
                200,
                h.http.get("/a", "Authorization", "Bearer " + userToken("bystander", now - 60))
                        .status());
    }

    @Test
    void revocationDropsCachedExchangesOfTheServiceAccount() {
        h.keycloak.clients.put(
                "doomed-bot",
                new FakeKeycloak.Client(TestSecrets.of("doomed-bot"), "sub-doomed", "doomed", List.of("demo-app")));
        String[] creds = {"KC-Access-Client-Id", "doomed-bot", "KC-Access-Client-Secret", TestSecrets.of("doomed-bot")};
        assertEquals(200, h.http.get("/s", creds).status());
        int calls = h.keycloak.tokenCalls.get();
        assertEquals(200, h.http.get("/s", creds).status());
        assertEquals(calls, h.keycloak.tokenCalls.get(), "served from the exchange cache");
        // The provider deletes the token and pushes the revocation.
        h.keycloak.clients.remove("doomed-bot");
        assertEquals(200, post(sign(logoutClaims("sub-doomed"))).status());
        assertEquals(401, h.http.get("/s", creds).status(), "refused at once, though its JWT is valid for minutes");
        assertEquals(calls + 1, h.keycloak.tokenCalls.get(), "the cached exchange was dropped");
    }

    @Test
    void badLogoutTokensAreRefusedAndRevokeNothing() {
        long now = System.currentTimeMillis() / 1000;
        String sub = "survivor";
        String token = userToken(sub, now - 30);
        JsonObject noEvents = logoutClaims(sub);
        noEvents.remove("events");
        JsonObject noJti = logoutClaims(sub);
        noJti.remove("jti");
        JsonObject noSub = logoutClaims(sub);
        noSub.remove("sub");
        String replayed = sign(logoutClaims("someone-else"));
        assertEquals(200, post(replayed).status());
        List<String> bad = List.of(
                TestKey.rsa("k1")
                        .sign(
                                new JsonObject()
                                        .put("alg", "RS256")
                                        .put("typ", "logout+jwt")
                                        .put("kid", "k1"),
                                logoutClaims(sub)),
                sign(logoutClaims(sub).put("aud", "other-app")),
                sign(logoutClaims(sub).put("iss", "http://evil.example/realms/demo")),
                sign(logoutClaims(sub).put("iat", now - 3600)),
                sign(logoutClaims(sub).put("iat", now + 3600)),
                sign(noEvents),
                sign(logoutClaims(sub)
                        .put("events", new JsonObject().put("http://example.com/other", new JsonObject()))),
                sign(logoutClaims(sub).put("events", new JsonArray())),
                sign(logoutClaims(sub).put("nonce", "n")),
                sign(noJti),
                sign(noSub),
                replayed,
                TestKey.b64("{\"alg\":\"none\"}") + "."
                        + TestKey.b64(logoutClaims(sub).encode()) + ".",
                "not-a-jwt");
        for (String t : bad) {
            Http.Response r = post(t);
            assertEquals(400, r.status(), r.body());
            assertEquals("invalid_request", new JsonObject(r.body()).getString("error"));
        }
        assertEquals(
                400,
                h.http.send(
                                HttpMethod.POST,
                                "/.sidecar/backchannel-logout",
                                Buffer.buffer("x=1"),
                                "Content-Type",
                                "application/x-www-form-urlencoded")
                        .status());
        assertEquals(
                413,
                h.http.send(
                                HttpMethod.POST,
                                "/.sidecar/backchannel-logout",
                                Buffer.buffer("logout_token=" + "a".repeat(100_000)),
                                "Content-Type",
                                "application/x-www-form-urlencoded")
                        .status());
        assertEquals(200, h.http.get("/a", "Authorization", "Bearer " + token).status(), "nothing was revoked");
    }
}

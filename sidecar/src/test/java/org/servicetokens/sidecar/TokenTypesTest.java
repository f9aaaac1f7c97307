package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * Keycloak signs access, ID, logout (and, with HS512, refresh) tokens with its realm keys; each is typed twice,
 * in the JOSE header and in the payload. A token of one type must never be accepted where another belongs:
 * only an access token authenticates a request, only a logout token revokes.
 */
class TokenTypesTest {

    @RegisterExtension
    static final Harness h = new Harness();

    private static JsonObject header(String typ) {
        JsonObject header = new JsonObject().put("alg", "RS256").put("kid", "k1");
        return typ == null ? header : header.put("typ", typ);
    }

    private static String sign(String typ, JsonObject claims) {
        return h.key.sign(header(typ), claims);
    }

    private static JsonObject access() {
        return h.keycloak.claims("user-11");
    }

    /** A logout token as Keycloak 26.7 builds it (DefaultTokenManager.initLogoutToken) for demo-app. */
    private static JsonObject logout(String sub) {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject()
                .put("iss", h.keycloak.issuer())
                .put("aud", "demo-app")
                .put("typ", "Logout")
                .put("iat", now)
                .put("exp", now + 120)
                .put("jti", UUID.randomUUID().toString())
                .put("sub", sub)
                .put("sid", "sid-" + sub)
                .put(
                        "events",
                        new JsonObject()
                                .put("http://schemas.openid.net/event/backchannel-logout", new JsonObject())
                                .put("revoke_offline_access", true));
    }

    private static Http.Response bearer(String token) {
        return h.http.get("/x", "Authorization", "Bearer " + token, "Accept", "application/json");
    }

    private static Http.Response backchannel(String logoutToken) {
        String form = "logout_token=" + URLEncoder.encode(logoutToken, StandardCharsets.UTF_8);
        return h.http.send(
                HttpMethod.POST,
                "/.sidecar/backchannel-logout",
                Buffer.buffer(form),
                "Content-Type",
                "application/x-www-form-urlencoded");
    }

    private static String reason(Http.Response r) {
        return new JsonObject(r.body()).getString("reason");
    }

    @Test
    void onlyAnAccessTokenAuthenticatesARequest() {
        assertEquals(200, bearer(sign("JWT", access())).status(), "Keycloak's access token");
        assertEquals(200, bearer(sign("at+jwt", access())).status(), "with the RFC 9068 header type");
        assertEquals(200, bearer(sign("JWT", access().put("typ", "bearer"))).status(), "lower-case token type option");

        Map<String, String> refused = new LinkedHashMap<>();
        refused.put(sign("JWT", access().put("typ", "ID").put("nonce", "n")), "not_an_access_token");
        refused.put(sign("JWT", access().put("typ", "Refresh")), "not_an_access_token");
        refused.put(sign("JWT", access().put("typ", "Offline")), "not_an_access_token");
        refused.put(sign("JWT", access().put("typ", "Logout")), "not_an_access_token");
        refused.put(sign("JWT", access().put("typ", "DPoP")), "not_an_access_token");
        JsonObject untyped = access();
        untyped.remove("typ");
        refused.put(sign("JWT", untyped), "not_an_access_token");
        refused.put(sign("JWT", access().put("typ", 1)), "not_an_access_token");
        refused.put(
                sign(
                        "JWT",
                        access().put(
                                        "events",
                                        new JsonObject()
                                                .put(
                                                        "http://schemas.openid.net/event/backchannel-logout",
                                                        new JsonObject()))),
                "not_an_access_token");
        refused.put(sign("logout+jwt", access()), "wrong_token_type");
        refused.put(
                sign("logout+jwt", logout("user-11").put("exp", System.currentTimeMillis() / 1000 + 300)),
                "wrong_token_type");
        refused.put(sign(null, access()), "wrong_token_type");
        refused.put(sign("JOSE", access()), "wrong_token_type");
        refused.put(
                h.key.sign(new JsonObject().put("alg", "RS256").put("kid", "k1").put("typ", 5), access()),
                "wrong_token_type");
        // Keycloak's refresh tokens are HS512-signed with a realm secret: never a verifiable access token here.
        refused.put(
                h.key.sign(header("JWT").put("alg", "HS512"), access().put("typ", "Refresh")), "unsupported_algorithm");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Http.Response r = bearer(e.getKey());
            assertEquals(401, r.status(), e.getValue() + " " + r.body());
            assertEquals(e.getValue(), reason(r));
        }
    }

    @Test
    void onlyALogoutTokenRevokes() {
        String victim = "user-11-victim";
        long now = System.currentTimeMillis() / 1000;
        String old = h.keycloak.token(h.keycloak.claims(victim).put("iat", now - 60));
        assertEquals(200, bearer(old).status());

        Map<String, String> refused = new LinkedHashMap<>();
        // An access token that happens to carry an events claim (a mapper can add any claim): typed JWT or at+jwt.
        refused.put(sign("JWT", logout(victim)), "wrong_token_type");
        refused.put(sign("at+jwt", logout(victim)), "wrong_token_type");
        refused.put(sign(null, logout(victim)), "wrong_token_type");
        refused.put(sign("logout+jwt", logout(victim).put("typ", "Bearer")), "not_a_logout_token");
        refused.put(sign("logout+jwt", logout(victim).put("typ", "ID")), "not_a_logout_token");
        JsonObject noExp = logout(victim);
        noExp.remove("exp");
        refused.put(sign("logout+jwt", noExp), "missing_exp");
        refused.put(sign("logout+jwt", logout(victim).put("sub", 42)), "malformed_sub");
        refused.put(sign("logout+jwt", logout(victim).put("sub", "")), "malformed_sub");
        refused.put(sign("logout+jwt", logout(victim).put("sid", new JsonObject())), "malformed_sid");
        refused.put(
                sign(
                        "logout+jwt",
                        logout(victim)
                                .put(
                                        "events",
                                        new JsonObject()
                                                .put("http://schemas.openid.net/event/backchannel-logout", true))),
                "missing_logout_event");
        refused.put(
                sign("logout+jwt", logout(victim).put("aud", new JsonObject().put("demo-app", 1))), "malformed_aud");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Http.Response r = backchannel(e.getKey());
            assertEquals(400, r.status(), e.getValue() + " " + r.body());
            assertEquals(e.getValue(), reason(r));
        }
        assertEquals(200, bearer(old).status(), "nothing was revoked");

        assertEquals(200, backchannel(sign("logout+jwt", logout(victim))).status(), "Keycloak's own shape is accepted");
        assertEquals(401, bearer(old).status());
        assertEquals(
                200,
                backchannel(sign("application/logout+jwt", logout("someone-else")))
                        .status(),
                "the media type may be written in full (RFC 7515 §4.1.9)");
    }

    @Test
    void aBearerTokenOfASessionKeycloakLoggedOutIsRevokedEvenByASidOnlyLogoutToken() {
        long now = System.currentTimeMillis() / 1000;
        String inSession = h.keycloak.token(
                h.keycloak.claims("user-11-sso").put("sid", "sso-1").put("iat", now - 30));
        String otherSession = h.keycloak.token(
                h.keycloak.claims("user-11-sso").put("sid", "sso-2").put("iat", now - 30));
        assertEquals(200, bearer(inSession).status(), "verified and cached first");
        JsonObject sidOnly = logout("x");
        sidOnly.remove("sub");
        sidOnly.put("sid", "sso-1");
        assertEquals(200, backchannel(sign("logout+jwt", sidOnly)).status());
        Http.Response r = bearer(inSession);
        assertEquals(401, r.status());
        assertEquals("revoked", reason(r));
        assertEquals(200, bearer(otherSession).status(), "the user's other session goes on");
    }
}

package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.keycloak.model.TokenSecrets;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.LogoutTokens;

/**
 * The provider's {@code service_token} claim in logout tokens: a revocation names what it revokes (one secret's
 * JWTs, or all of a token's), and a change notice revokes nothing but makes cached exchanges and refusals go away.
 */
class ServiceTokenRevocationTest {

    @RegisterExtension
    static final Harness h = new Harness();

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static JsonObject logoutClaims(String sub, JsonObject serviceToken) {
        JsonObject claims = LogoutTokens.claims(h, sub);
        return serviceToken == null ? claims : claims.put("service_token", serviceToken);
    }

    static JsonObject notice(String clientId, String revoke, long cutoff, String... secrets) {
        return new JsonObject()
                .put("id", "id-" + clientId)
                .put("client_id", clientId)
                .put("reason", "test")
                .put("revoke", revoke)
                .put("secrets", new JsonArray(List.of((Object[]) secrets)))
                .put("cutoff", cutoff);
    }

    static Http.Response post(JsonObject claims) {
        return LogoutTokens.post(h, LogoutTokens.sign(h, claims));
    }

    /** A JWT of a service token's service account, as Keycloak mints it: naming its secret, or none (null). */
    static String jwt(String sub, String clientId, String secretId, long iat) {
        JsonObject st = new JsonObject().put("id", "id-" + clientId).put("name", clientId);
        if (secretId != null) {
            st.put("secret", secretId);
        }
        return h.keycloak.token(
                h.keycloak.claims(sub).put("azp", clientId).put("iat", iat).put("service_token", st));
    }

    static int status(String jwt) {
        return h.http.get("/a", "Authorization", "Bearer " + jwt).status();
    }

    static String[] headers(String clientId, String secret) {
        return new String[] {"KC-Access-Client-Id", clientId, "KC-Access-Client-Secret", secret};
    }

    @Test
    void aRetiredSecretsJwtsAreRevokedAndTheCurrentSecretsAreNot() {
        String oldSecret = TokenSecrets.generate();
        String newSecret = TokenSecrets.generate();
        String sub = "sub-rotating";
        h.keycloak.clients.put(
                "rotating-bot", new FakeKeycloak.Client(oldSecret, sub, "rotating", List.of("demo-app")));
        assertEquals(200, h.http.get("/s", headers("rotating-bot", oldSecret)).status());
        // Rotation with a grace period: both secrets work at Keycloak for a while.
        h.keycloak.clients.put(
                "rotating-bot", new FakeKeycloak.Client(newSecret, sub, "rotating", List.of("demo-app")));
        assertEquals(200, h.http.get("/s", headers("rotating-bot", newSecret)).status());
        int calls = h.keycloak.tokenCalls.get();
        long cutoff = now();
        String oldJwt = jwt(sub, "rotating-bot", FakeKeycloak.secretId(oldSecret), cutoff - 30);
        String newJwtOfTheCutoffSecond = jwt(sub, "rotating-bot", FakeKeycloak.secretId(newSecret), cutoff);
        String newJwtFromBefore = jwt(sub, "rotating-bot", FakeKeycloak.secretId(newSecret), cutoff - 30);
        assertEquals(200, status(oldJwt));

        // The grace ends: only the old secret's JWTs go.
        assertEquals(
                200,
                post(logoutClaims(sub, notice("rotating-bot", "secret", cutoff, FakeKeycloak.secretId(oldSecret))))
                        .status());
        Http.Response revoked = h.http.get("/a", "Authorization", "Bearer " + oldJwt);
        assertEquals(401, revoked.status());
        assertEquals("revoked", new JsonObject(revoked.body()).getString("reason"));
        assertEquals(200, status(newJwtOfTheCutoffSecond), "minted with the new secret in the cut-off's own second");
        assertEquals(200, status(newJwtFromBefore), "minted with the new secret before the cut-off");
        assertEquals(200, h.http.get("/s", headers("rotating-bot", newSecret)).status());
        assertEquals(calls, h.keycloak.tokenCalls.get(), "the new secret's cached exchange was kept");
        assertEquals(
                401, h.http.get("/s", headers("rotating-bot", oldSecret)).status(), "the old secret's was dropped");

        // JWTs naming no secret cannot show which one minted them: refused up to the change's second, not after.
        assertEquals(401, status(jwt(sub, "rotating-bot", null, cutoff)));
        assertEquals(200, status(jwt(sub, "rotating-bot", null, cutoff + 1)));
    }

    @Test
    void revokingAWholeTokenCatchesItsJwtsOfTheCutOffSecondByTheirSecretButNotLaterOnes() {
        String sub = "sub-disabled";
        long cutoff = now();
        String live = "live-secret-id";
        String sameSecond = jwt(sub, "disabled-bot", live, cutoff);
        String earlier = jwt(sub, "disabled-bot", "new-generation-id", cutoff - 1);
        assertEquals(200, status(sameSecond));
        assertEquals(
                200,
                post(logoutClaims(sub, notice("disabled-bot", "token", cutoff, live)))
                        .status());
        assertEquals(401, status(sameSecond), "named by its secret");
        assertEquals(401, status(earlier), "issued before the cut-off");
        assertEquals(
                200,
                status(jwt(sub, "disabled-bot", "new-generation-id", cutoff)),
                "enabled again in the same second: new secret ids, not revoked");
    }

    @Test
    void aChangeNoticeRevokesNothingButDropsCachedExchangesAndRefusals() {
        String secret = TokenSecrets.generate();
        String sub = "sub-growing";
        h.keycloak.clients.put("growing-bot", new FakeKeycloak.Client(secret, sub, "growing", List.of("other-app")));
        Http.Response notYet = h.http.get("/s", headers("growing-bot", secret));
        assertEquals(403, notYet.status());
        assertEquals("not_allowed_for_app", new JsonObject(notYet.body()).getString("reason"));
        String jwt = jwt(sub, "growing-bot", FakeKeycloak.secretId(secret), now() - 5);
        assertEquals(200, status(jwt));

        // demo-app is added to the token's applications: its cached JWT still lacks the audience until the notice.
        h.keycloak.clients.put(
                "growing-bot", new FakeKeycloak.Client(secret, sub, "growing", List.of("other-app", "demo-app")));
        assertEquals(403, h.http.get("/s", headers("growing-bot", secret)).status(), "cached");
        assertEquals(
                200,
                post(logoutClaims(sub, notice("growing-bot", "none", now()))).status());
        assertEquals(200, h.http.get("/s", headers("growing-bot", secret)).status(), "exchanged afresh");
        assertEquals(200, status(jwt), "nothing revoked");

        // Disabled (refusal remembered), then enabled: the notice drops the remembered refusal too.
        h.keycloak.clients.remove("growing-bot");
        String other = TokenSecrets.generate();
        assertEquals(401, h.http.get("/s", headers("growing-bot", other)).status());
        h.keycloak.clients.put("growing-bot", new FakeKeycloak.Client(other, sub, "growing", List.of("demo-app")));
        assertEquals(401, h.http.get("/s", headers("growing-bot", other)).status(), "the refusal is remembered");
        assertEquals(
                200,
                post(logoutClaims(sub, notice("growing-bot", "none", now()))).status());
        assertEquals(200, h.http.get("/s", headers("growing-bot", other)).status(), "and forgotten after the notice");
    }

    @Test
    void malformedNoticesAreRefusedAndEveryRefusalIsCountedByReason() {
        long now = now();
        double before = Harness.metric(
                h.management(), "sidecar_logout_tokens_refused_total{reason=\"malformed_service_token_claim\"}");
        List<JsonObject> bad = List.of(
                logoutClaims("x", null).put("service_token", "token"),
                logoutClaims("x", notice("c", "secret", now)),
                logoutClaims("x", notice("c", "secret", now, "bad id with spaces")),
                logoutClaims("x", notice("c", "token", now, "a", "b", "c", "d", "e", "f", "g", "h", "i")),
                logoutClaims("x", notice("c", "token", now).put("cutoff", "yesterday")),
                logoutClaims("x", notice("c", "token", now).put("client_id", 7)));
        for (JsonObject claims : bad) {
            Http.Response r = post(claims);
            assertEquals(400, r.status(), claims.encode());
            assertEquals("malformed_service_token_claim", new JsonObject(r.body()).getString("reason"));
        }
        assertEquals(
                before + bad.size(),
                Harness.metric(
                        h.management(),
                        "sidecar_logout_tokens_refused_total{reason=\"malformed_service_token_claim\"}"));
        assertEquals(400, post(logoutClaims("x", null).put("aud", "other-app")).status());
        assertEquals(
                1.0, Harness.metric(h.management(), "sidecar_logout_tokens_refused_total{reason=\"wrong_audience\"}"));
    }
}

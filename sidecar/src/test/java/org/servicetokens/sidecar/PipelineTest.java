package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestUpstream;

/** The request pipeline end to end: answers, identity headers, policy decisions. */
class PipelineTest {

    @RegisterExtension
    static final Harness h = new Harness().resettingUpstream();

    @Test
    void validBearerReachesUpstreamWithIdentityHeaders() {
        JsonObject claims = h.keycloak
                .claims("user-42")
                .put("groups", new JsonArray().add("/team/ops"))
                .put(
                        "resource_access",
                        new JsonObject().put("demo-app", new JsonObject().put("roles", new JsonArray().add("reader"))));
        String token = h.keycloak.token(claims);
        Http.Response r = h.http.get("/hello?x=1", "Authorization", "Bearer " + token);
        assertEquals(200, r.status(), r.body());
        TestUpstream.Seen seen = h.upstream.last();
        assertEquals("/hello?x=1", seen.uri());
        assertTrue(
                token.equals(seen.headers().get("X-Access-Jwt-Assertion")),
                "the assertion header carries the verified token");
        assertEquals("user", seen.headers().get("X-Auth-Type"));
        assertEquals("user-42", seen.headers().get("X-Auth-Subject"));
        assertEquals("alice", seen.headers().get("X-Auth-Username"));
        assertEquals("alice@example.com", seen.headers().get("X-Auth-Email"));
        assertEquals("some-client", seen.headers().get("X-Auth-Client-Id"));
        assertEquals("user,demo-app:reader", seen.headers().get("X-Auth-Roles"));
        assertEquals("/team/ops", seen.headers().get("X-Auth-Groups"));
        assertEquals("127.0.0.1", seen.headers().get("X-Forwarded-For"));
        assertEquals("http", seen.headers().get("X-Forwarded-Proto"));
        assertEquals("127.0.0.1:" + h.sidecar.port(), seen.headers().get("X-Forwarded-Host"));
        assertNull(seen.headers().get("Authorization"), "the credential is not forwarded");
    }

    @Test
    void serviceTokenHeadersAreExchangedAndForwardedAsService() {
        Http.Response r = h.http.get(
                "/api/service/x", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", Harness.BOT_SECRET);
        assertEquals(200, r.status(), r.body());
        TestUpstream.Seen seen = h.upstream.last();
        assertEquals("service", seen.headers().get("X-Auth-Type"));
        assertEquals("ci-bot", seen.headers().get("X-Auth-Client-Id"));
        assertEquals("ci deployer", seen.headers().get("X-Auth-Token-Name"));
        assertEquals("sub-ci-bot", seen.headers().get("X-Auth-Subject"));
        assertNull(seen.headers().get("KC-Access-Client-Secret"));
        assertNull(seen.headers().get("KC-Access-Client-Id"));
    }

    @Test
    void basicAndCfAliasWork() {
        String basic = Base64.getEncoder().encodeToString(("ci-bot:" + Harness.BOT_SECRET).getBytes());
        assertEquals(
                200, h.http.get("/api/ci/a", "Authorization", "Basic " + basic).status());
        assertEquals(
                200,
                h.http.get("/api/ci/b", "CF-Access-Client-Id", "ci-bot", "CF-Access-Client-Secret", Harness.BOT_SECRET)
                        .status());
        assertEquals(2, h.upstream.hits.get());
    }

    @Test
    void serviceTokenNotAllowedForThisAppIsForbidden() {
        Http.Response r =
                h.http.get("/x", "KC-Access-Client-Id", "other-bot", "KC-Access-Client-Secret", Harness.OTHER_SECRET);
        assertEquals(403, r.status());
        assertEquals("not_allowed_for_app", new JsonObject(r.body()).getString("reason"));
        assertEquals(0, h.upstream.hits.get());
    }

    @Test
    void bearerForAnotherAudienceIsUnauthorized() {
        String token = h.keycloak.token(h.keycloak.claims("u").put("aud", "other-app"));
        Http.Response r = h.http.get("/x", "Authorization", "Bearer " + token);
        assertEquals(401, r.status());
        assertEquals("wrong_audience", new JsonObject(r.body()).getString("reason"));
        assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"));
    }

    @Test
    void azpEqualToAppIsEnoughWithoutAud() {
        String token =
                h.keycloak.token(h.keycloak.claims("u").put("aud", "account").put("azp", "demo-app"));
        assertEquals(200, h.http.get("/x", "Authorization", "Bearer " + token).status());
    }

    @Test
    void noCredentialsGivesJson401ForApisAndRedirectForBrowsers() {
        Http.Response api = h.http.get("/x", "Accept", "application/json");
        assertEquals(401, api.status());
        // RFC 6750 §3 challenge, naming the RFC 9728 metadata (§5.1) by default.
        assertTrue(
                api.header("WWW-Authenticate")
                        .matches(
                                "Bearer realm=\"demo-app\", resource_metadata=\"http://127\\.0\\.0\\.1:\\d+/\\.well-known/oauth-protected-resource\""),
                api.header("WWW-Authenticate"));
        assertEquals("no_credentials", new JsonObject(api.body()).getString("reason"));

        Http.Response browser = h.http.get("/page", "Accept", "text/html,application/xhtml+xml");
        assertEquals(302, browser.status());
        assertTrue(browser.header("Location")
                .startsWith(h.keycloak.issuer() + "/protocol/openid-connect/auth?client_id=demo-app"));

        Http.Response xhr = h.http.get("/page", "Accept", "text/html", "X-Requested-With", "XMLHttpRequest");
        assertEquals(401, xhr.status());
        Http.Response post = h.http.send(io.vertx.core.http.HttpMethod.POST, "/page", null, "Accept", "text/html");
        assertEquals(401, post.status());
        assertEquals(0, h.upstream.hits.get());
    }

    @Test
    void publicPathNeedsNothingAndCarriesNoIdentity() {
        Http.Response r = h.http.get("/public/index.html", "X-Auth-Subject", "root");
        assertEquals(200, r.status());
        assertNull(h.upstream.last().headers().get("X-Auth-Subject"));
    }

    @Test
    void policyRolesTypesClientsAndMethods() {
        String user = h.validToken();
        String admin = h.keycloak.token(h.keycloak
                .claims("adm")
                .put("realm_access", new JsonObject().put("roles", new JsonArray().add("admin"))));
        assertEquals(
                403,
                h.http.get("/api/admin/x", "Authorization", "Bearer " + user).status());
        assertEquals(
                200,
                h.http.get("/api/admin/x", "Authorization", "Bearer " + admin).status());
        assertEquals(
                403,
                h.http.get("/api/service/x", "Authorization", "Bearer " + user).status());
        assertEquals(
                403, h.http.get("/api/ci/x", "Authorization", "Bearer " + user).status());
        assertEquals(
                200,
                h.http.get("/api/readonly/x", "Authorization", "Bearer " + user).status());
        assertEquals(
                403,
                h.http.send(
                                io.vertx.core.http.HttpMethod.DELETE,
                                "/api/readonly/x",
                                null,
                                "Authorization",
                                "Bearer " + user)
                        .status());
        assertEquals(2, h.upstream.hits.get());
    }

    @Test
    void identityEndpointDescribesTheCaller() {
        Http.Response r = h.http.get(
                "/.sidecar/identity", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", Harness.BOT_SECRET);
        assertEquals(200, r.status(), r.body());
        JsonObject id = new JsonObject(r.body());
        assertEquals("service", id.getString("type"));
        assertEquals("ci deployer", id.getString("tokenName"));
        assertTrue(!r.body().contains("eyJ"), "no token in the identity answer");
        assertEquals(401, h.http.get("/.sidecar/identity").status());
        assertEquals(404, h.http.get("/.sidecar/nothing").status());
        assertEquals(0, h.upstream.hits.get());
    }
}

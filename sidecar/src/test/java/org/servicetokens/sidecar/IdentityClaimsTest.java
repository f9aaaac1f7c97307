package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * Identity claims through the real sidecar (fake realm, tokens signed by its key): the caller's type comes only
 * from what Keycloak guarantees, e-mail conditions need a verified address, and a token whose claims the sidecar
 * relies on are absent or of the wrong JSON type is refused with 401 and a reason, never guessed at.
 */
class IdentityClaimsTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> c.policy.rules = Harness.rules("""
      - path: /corp/**
        allow: {emailDomains: [corp.com]}
      - path: /alice/**
        allow: {emails: [alice@corp.com]}
      - path: /kc/**
        allow: {emailDomains: [keycloak.org]}
      """ + Harness.POLICY)).resettingUpstream();

    private static String token(UnaryOperator<JsonObject> change) {
        return h.keycloak.token(change.apply(h.keycloak.claims("user-7")));
    }

    private static Http.Response get(String path, String token) {
        return h.http.get(path, "Authorization", "Bearer " + token, "Accept", "application/json");
    }

    private static String reason(Http.Response r) {
        return new JsonObject(r.body()).getString("reason");
    }

    // ---- kind 7: the type of caller

    @Test
    void aHumanNamedLikeAServiceAccountIsAUser() {
        String t = token(c -> c.put("preferred_username", "service-account-ci-bot"));
        assertEquals(403, get("/api/service/x", t).status(), "a types: [service] rule does not admit the name");
        assertEquals(200, get("/other", t).status());
        assertEquals("user", h.upstream.last().headers().get("X-Auth-Type"));
        assertEquals("service-account-ci-bot", h.upstream.last().headers().get("X-Auth-Username"));
        assertEquals("user", new JsonObject(get("/.sidecar/identity", t).body()).getString("type"));
    }

    @Test
    void aClientIdClaimMakesAServiceOnlyWhenItNamesTheClientTheTokenWasIssuedTo() {
        String keycloakServiceAccount = token(c -> c.put("azp", "reporting-job")
                .put("client_id", "reporting-job")
                .put("preferred_username", "service-account-reporting-job"));
        assertEquals(200, get("/api/service/x", keycloakServiceAccount).status());
        assertEquals("service", h.upstream.last().headers().get("X-Auth-Type"));

        String mapped = token(c -> c.put("azp", "portal").put("client_id", "reporting-job"));
        assertEquals(
                403, get("/api/service/x", mapped).status(), "a client_id claim for another client is no evidence");
        assertEquals(
                403, get("/api/service/x", token(c -> c.put("client_id", ""))).status());
    }

    @Test
    void theServiceTokenClaimMakesAService() {
        String t = token(c -> c.put("azp", "ci-deployer-x1")
                .put("service_token", new JsonObject().put("id", "tok-1").put("name", "CI deployer")));
        assertEquals(200, get("/api/service/x", t).status());
        assertEquals("service", h.upstream.last().headers().get("X-Auth-Type"));
        assertEquals("CI deployer", h.upstream.last().headers().get("X-Auth-Token-Name"));
    }

    // ---- kind 8: e-mail conditions

    @Test
    void emailConditionsNeedAVerifiedAddressAndOnlyAVerifiedOneIsForwarded() {
        String verified = token(c -> c.put("email", "alice@corp.com"));
        assertEquals(200, get("/corp/x", verified).status());
        assertEquals("alice@corp.com", h.upstream.last().headers().get("X-Auth-Email"));
        assertEquals(200, get("/alice/x", verified).status());

        String unverified = token(c -> c.put("email", "alice@corp.com").put("email_verified", false));
        String silent = token(c -> {
            c.remove("email_verified");
            return c.put("email", "alice@corp.com");
        });
        for (String t : new String[] {unverified, silent}) {
            assertEquals(403, get("/corp/x", t).status(), "emailDomains");
            assertEquals(403, get("/alice/x", t).status(), "emails");
            assertEquals(200, get("/other", t).status(), "still authenticated");
            assertNull(
                    h.upstream.last().headers().get("X-Auth-Email"),
                    "an unverified address is not the caller's identity");
        }
    }

    @Test
    void domainMatchingIsExactAndAsciiOnly() {
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("ALICE@Corp.COM", 200);
        cases.put("bob@corp.com", 200);
        cases.put("bob@corp.com.", 403);
        cases.put("bob@evil.corp.com", 403);
        cases.put("bob@corp.com.evil.com", 403);
        cases.put("bob@evilcorp.com", 403);
        cases.put("bob@corp.com@evil.com", 403);
        cases.put("\"bob@corp.com\"@evil.com", 403);
        cases.put("bob@c\u043erp.com", 403);
        cases.put("@corp.com", 403);
        cases.put("bob evil@corp.com", 403);
        for (Map.Entry<String, Integer> e : cases.entrySet()) {
            assertEquals(
                    e.getValue(),
                    get("/corp/x", token(c -> c.put("email", e.getKey()))).status(),
                    e.getKey());
        }
        // The Kelvin sign lower-cases to 'k' in Unicode: a look-alike must not become keycloak.org.
        assertEquals(
                403,
                get("/kc/x", token(c -> c.put("email", "m@\u212Aeycloak.org"))).status());
        assertEquals(
                200, get("/kc/x", token(c -> c.put("email", "m@KEYCLOAK.org"))).status());
    }

    // ---- kind 10: identity headers the app can parse without ambiguity

    @Test
    void listAndNameHeadersReachTheAppUnambiguousAndValid() {
        String t = token(c -> c.put("preferred_username", "J\u00f6rg, admin")
                .put(
                        "realm_access",
                        new JsonObject()
                                .put("roles", new JsonArray().add("user").add("a,b")))
                .put(
                        "resource_access",
                        new JsonObject().put("x,demo-app", new JsonObject().put("roles", new JsonArray().add("admin"))))
                .put("groups", new JsonArray().add("/Team A/x,y"))
                .put("azp", "ci-deployer-x1")
                .put("service_token", new JsonObject().put("id", "tok-1").put("name", "nightly, \"prod\"\r\n")));
        assertEquals(200, get("/other", t).status());
        var seen = h.upstream.last().headers();
        assertEquals("user,a%2Cb,x%2Cdemo-app:admin", seen.get("X-Auth-Roles"), "not readable as demo-app:admin");
        assertEquals("/Team%20A/x%2Cy", seen.get("X-Auth-Groups"));
        assertEquals("J%C3%B6rg%2C admin", seen.get("X-Auth-Username"));
        assertEquals("nightly%2C \"prod\"%0D%0A", seen.get("X-Auth-Token-Name"));
        assertEquals(403, get("/api/admin/x", t).status(), "the client role is not the realm role");
    }

    // ---- kind 9: claims that must be there, with the type Keycloak writes

    @Test
    void aTokenWithoutAUsableSubjectIsRefused() {
        Object[] subjects = {null, "", 42, new JsonObject().put("id", "x"), new JsonArray().add("a")};
        for (Object sub : subjects) {
            String t = token(c -> {
                c.remove("sub");
                return sub == null ? c : c.put("sub", sub);
            });
            Http.Response r = get("/other", t);
            assertEquals(401, r.status(), "sub " + sub);
            assertEquals("missing_subject", reason(r), "sub " + sub);
        }
        assertEquals(0, h.upstream.hits.get(), "the app saw none of them");
    }

    @Test
    void claimsOfTheWrongJsonTypeAreRefusedWithTheirName() {
        BigInteger wraps =
                BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(System.currentTimeMillis() / 1000 + 300));
        Map<String, UnaryOperator<JsonObject>> cases = new LinkedHashMap<>();
        cases.put("missing_iat", c -> {
            c.remove("iat");
            return c;
        });
        cases.put("malformed_iat", c -> c.put("iat", String.valueOf(System.currentTimeMillis() / 1000)));
        cases.put("malformed_exp", c -> c.put("exp", wraps));
        cases.put("malformed_nbf", c -> c.put("nbf", BigInteger.ONE.shiftLeft(64)));
        cases.put(
                "malformed_aud",
                c -> c.put("aud", new JsonObject().put("demo-app", true)).put("azp", "demo-app"));
        cases.put(
                "malformed_aud ",
                c -> c.put("aud", new JsonArray().add("demo-app").add(7)));
        cases.put("malformed_sid", c -> c.put("sid", 7));
        cases.put("malformed_azp", c -> c.put("azp", new JsonArray().add("demo-app")));
        cases.put("malformed_client_id", c -> c.put("client_id", 7));
        cases.put("malformed_service_token", c -> c.put("service_token", "ci"));
        cases.put("malformed_service_token ", c -> c.put("service_token", new JsonObject().put("name", "no id")));
        cases.put(
                "malformed_service_token  ",
                c -> c.put("service_token", new JsonObject().put("id", "i").put("name", 5)));
        cases.put("malformed_preferred_username", c -> c.put("preferred_username", 1234));
        cases.put("malformed_email", c -> c.put("email", new JsonArray().add("a@corp.com")));
        cases.put("malformed_email_verified", c -> c.put("email_verified", "true"));
        cases.put("malformed_realm_access", c -> c.put("realm_access", "admin"));
        cases.put("malformed_roles", c -> c.put("realm_access", new JsonObject().put("roles", "admin")));
        cases.put(
                "malformed_roles ",
                c -> c.put(
                        "realm_access",
                        new JsonObject()
                                .put("roles", new JsonArray().add("admin").add(1))));
        cases.put(
                "malformed_resource_access", c -> c.put("resource_access", new JsonObject().put("demo-app", "admin")));
        cases.put(
                "malformed_roles  ",
                c -> c.put(
                        "resource_access", new JsonObject().put("demo-app", new JsonObject().put("roles", "admin"))));
        cases.put("malformed_groups", c -> c.put("groups", "/admins"));
        cases.put("malformed_groups ", c -> c.put("groups", new JsonArray().add(new JsonObject())));
        for (Map.Entry<String, UnaryOperator<JsonObject>> e : cases.entrySet()) {
            Http.Response r = get("/api/admin/x", token(e.getValue()));
            assertEquals(401, r.status(), e.getKey() + ": " + r.body());
            assertEquals(e.getKey().trim(), reason(r));
        }
        assertEquals(0, h.upstream.hits.get(), "the app saw none of them");
        assertEquals(
                200,
                get("/other", token(c -> c.put("sid", "s-1").put("nbf", 1))).status(),
                "well-typed claims pass");
    }
}

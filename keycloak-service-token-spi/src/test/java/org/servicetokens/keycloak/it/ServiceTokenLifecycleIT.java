package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/** The service-token contract end to end: the REST API drives a token through its life; the token endpoint proves each step. */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class ServiceTokenLifecycleIT extends DemoRealmITBase {

    static final Pattern SECRET_FORMAT = Pattern.compile("kcst_[0-9A-Za-z]{49}");

    @Test
    void fullLifecycle() {
        JsonNode created = api.create("CI deployer", "P30D", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        assertTrue(clientId.matches("ci-deployer-[a-z0-9]{8}"), "readable unique client ID: " + clientId);
        assertTrue(SECRET_FORMAT.matcher(secret).matches(), "secret has the published format");
        assertNear(
                Instant.now().plus(Duration.ofDays(30)),
                Instant.parse(created.get("expiresAt").asText()));

        // The token works with both client authentication methods, and its JWT says who it is.
        Http.Reply minted = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(200, minted.status(), "token request with client_secret_basic");
        assertEquals(
                200,
                Http.clientCredentialsPost(realm.getBaseUrl(), clientId, secret).status(),
                "client_secret_post");
        JsonNode claims = Http.jwtPayload(minted.json().get("access_token").asText());
        String serviceAccountId =
                realm.admin().clients().get(id).getServiceAccountUser().getId();
        assertEquals(clientId, claims.get("azp").asText());
        assertEquals(serviceAccountId, claims.get("sub").asText());
        assertTrue(audience(claims).contains("demo-app"), "aud lists the allowed application: " + claims.get("aud"));
        assertEquals(id, claims.get("service_token").get("id").asText());
        assertEquals("CI deployer", claims.get("service_token").get("name").asText());
        assertEquals(
                300, claims.get("exp").asLong() - claims.get("iat").asLong(), "realm access-token lifespan (5 min)");

        JsonNode view = api.get("/" + id).json();
        assertEquals("active", view.get("status").asText());
        assertEquals(
                "service-account-temp-admin",
                view.get("createdBy").asText(),
                "the calling admin (the framework's bootstrap client)");
        assertNotNull(view.get("lastUsedAt").textValue(), "last use is visible at once");
        assertNull(view.get("clientSecret"), "a read never returns a secret");

        // A well-formed but wrong secret fails, and the event says why.
        String otherSecret = api.create("throwaway", null).get("clientSecret").asText();
        assertRefused(clientId, otherSecret, "wrong_secret");

        // Extend.
        JsonNode extended =
                api.post("/" + id + "/extend", "{\"duration\":\"P60D\"}").json();
        assertNear(
                Instant.now().plus(Duration.ofDays(60)),
                Instant.parse(extended.get("expiresAt").asText()));

        // Rotate with a short grace: both secrets work, then only the new one.
        Http.Reply rotated = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT3S\"}");
        assertEquals(200, rotated.status());
        assertEquals("no-store", rotated.header("Cache-Control"));
        String secret2 = rotated.json().get("clientSecret").asText();
        assertNotEquals(secret, secret2);
        assertNotNull(rotated.json().get("previousSecretExpiresAt").textValue());
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret).status(),
                "old secret in grace");
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret2).status(),
                "new secret");
        waitUntil(
                Duration.ofSeconds(15),
                () -> Http.clientCredentials(realm.getBaseUrl(), clientId, secret)
                                .status()
                        == 401);
        // Until the grace-end job drops the old hash the event says the grace ended; after, the secret is just wrong.
        assertRefused(clientId, secret, "previous_secret_expired", "wrong_secret");
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret2).status());

        // Rotate without grace: the old secret fails at once.
        String secret3 = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT0S\"}")
                .json()
                .get("clientSecret")
                .asText();
        assertRefused(clientId, secret2, "wrong_secret");
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret3).status());

        // Ending a grace period early through previous-secret.
        String secret4 = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"P1D\"}")
                .json()
                .get("clientSecret")
                .asText();
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret3).status());
        Http.Reply ended = api.put("/" + id + "/previous-secret", "{\"expiresAt\":\"2000-01-01T00:00:00Z\"}");
        assertEquals(200, ended.status(), ended.printable());
        assertTrue(ended.json().get("previousSecretExpiresAt").isNull());
        assertRefused(clientId, secret3, "wrong_secret");

        // Disable / enable.
        assertEquals(
                "disabled",
                api.put("/" + id, "{\"enabled\":false}").json().get("status").asText());
        assertRefused(clientId, secret4, "disabled");
        assertEquals(
                "active",
                api.put("/" + id, "{\"enabled\":true}").json().get("status").asText());
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret4).status());

        // Delete: unusable at once, gone from the API.
        assertEquals(204, api.delete("/" + id).status());
        assertEquals(
                401,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret4).status());
        assertEquals(404, api.get("/" + id).status());
        assertEquals(404, api.delete("/" + id).status());
    }

    @Test
    void expiredTokenFails() {
        JsonNode created = api.create("short lived", "PT2S");
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret).status());
        waitUntil(
                Duration.ofSeconds(10),
                () -> Http.clientCredentials(realm.getBaseUrl(), clientId, secret)
                                .status()
                        == 401);
        assertRefused(clientId, secret, "expired");
        assertEquals(
                "expired",
                api.get("/" + created.get("id").asText()).json().get("status").asText());
    }

    @Test
    void stockSecretEndpointsNeitherRevealNorAccept() {
        JsonNode created = api.create("stock check", null);
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        var stock = realm.admin().clients().get(id);

        String stored = stock.getSecret().getValue();
        assertTrue(stored == null || stored.isEmpty(), "the client's ordinary secret column is empty");
        assertEquals("service-token", stock.toRepresentation().getClientAuthenticatorType());

        // Even a stock secret an admin generates by mistake is not accepted: only the service-token authenticator
        // counts.
        String regenerated = stock.generateNewSecret().getValue();
        assertEquals(
                401,
                Http.clientCredentials(realm.getBaseUrl(), clientId, regenerated)
                        .status());
        assertEquals(
                200,
                Http.clientCredentials(
                                realm.getBaseUrl(),
                                clientId,
                                created.get("clientSecret").asText())
                        .status());
    }

    @Test
    void listSearchesAndPages() {
        for (String name : List.of("alpha reporter", "beta reporter", "gamma uploader")) {
            api.create(name, null);
        }
        JsonNode reporters = api.get("?search=REPORTER").json();
        assertEquals(2, reporters.size());
        assertEquals("alpha reporter", reporters.get(0).get("name").asText(), "sorted by name");
        assertEquals(1, api.get("?search=reporter&first=1&max=1").json().size());
        assertEquals(
                "beta reporter",
                api.get("?search=reporter&first=1&max=1")
                        .json()
                        .get(0)
                        .get("name")
                        .asText());
        for (JsonNode token : api.get("").json()) {
            assertNull(token.get("clientSecret"));
        }
    }

    private void assertRefused(String clientId, String secret, String... expectedReasons) {
        Http.Reply reply = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(401, reply.status(), "refused (" + String.join("|", expectedReasons) + ")");
        assertEquals("invalid_client", reply.json().get("error").asText());
        List<EventRepresentation> errors =
                realm.admin().getEvents(List.of("CLIENT_LOGIN_ERROR"), clientId, null, null, null, null, 0, 1);
        assertEquals(1, errors.size(), "a CLIENT_LOGIN_ERROR event was stored");
        String reason = errors.get(0).getDetails().get("service_token_error");
        assertTrue(List.of(expectedReasons).contains(reason), "event reason " + reason);
    }

    static List<String> audience(JsonNode claims) {
        JsonNode aud = claims.get("aud");
        if (aud == null) {
            return List.of();
        }
        if (aud.isTextual()) {
            return List.of(aud.asText());
        }
        return java.util.stream.StreamSupport.stream(aud.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }

    static void assertNear(Instant expected, Instant actual) {
        assertTrue(
                Duration.between(expected, actual).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "expected about " + expected + " but was " + actual);
    }

    static void waitUntil(Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}

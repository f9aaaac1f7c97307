package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.TokenApi;

/**
 * Issue 4 end to end: real Keycloak 26.7.3 with the provider, the sidecar jar as its own process, and an app
 * behind it. Bots reach the app with a service token's headers, HTTP Basic or a JWT they fetched themselves.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BotsThroughSidecarIT extends SidecarITBase {

    RecordingUpstream upstream;
    SidecarProcess sidecar;
    TokenApi api;

    // The framework injects fields before each test, so the shared sidecar starts with the first test.
    @BeforeEach
    void startSidecarOnce() throws Exception {
        if (sidecar != null) {
            return;
        }
        upstream = new RecordingUpstream();
        sidecar = startSidecar(upstream.url(), Map.of());
        pointBackchannelLogoutAt(sidecar);
        api = tokenApi();
    }

    @AfterAll
    void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void serviceTokenHeadersReachTheAppWithTheVerifiedIdentity() {
        JsonNode token = api.create("reports bot", null, "demo-app");
        String clientId = token.get("clientId").asText();
        String serviceAccount = realm.admin()
                .clients()
                .get(token.get("id").asText())
                .getServiceAccountUser()
                .getId();

        Http.Reply reply = get(
                "/reports",
                Map.of(
                        "KC-Access-Client-Id", clientId,
                        "KC-Access-Client-Secret", token.get("clientSecret").asText(),
                        "X-Auth-Subject", "spoofed-admin",
                        "X_Auth_Type", "user",
                        "X-Forwarded-User", "root"));
        assertEquals(200, reply.status(), reply.printable());
        Map<String, String> seen = upstream.lastHeaders();
        assertEquals("service", seen.get("X-Auth-Type"));
        assertEquals(serviceAccount, seen.get("X-Auth-Subject"), "ours, never the caller's");
        assertEquals(clientId, seen.get("X-Auth-Client-Id"));
        assertEquals("reports bot", seen.get("X-Auth-Token-Name"));
        assertFalse(seen.containsKey("X-Forwarded-User"));
        assertFalse(seen.containsKey("X_Auth_Type"));
        assertFalse(seen.containsKey("KC-Access-Client-Secret"), "credentials never reach the app");
        JsonNode assertion = Http.jwtPayload(seen.get("X-Access-Jwt-Assertion"));
        assertEquals(realm.getBaseUrl(), assertion.get("iss").asText());
        assertEquals(clientId, assertion.get("azp").asText());
        assertEquals("127.0.0.1", seen.get("X-Forwarded-For"));
    }

    @Test
    void basicAuthAliasesAndSelfFetchedJwtsWorkToo() {
        JsonNode token = api.create("basic bot", null, "demo-app");
        String clientId = token.get("clientId").asText();
        String secret = token.get("clientSecret").asText();

        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes());
        assertEquals(200, get("/", Map.of("Authorization", "Basic " + basic)).status(), "HTTP Basic");
        assertEquals(
                200,
                get("/", Map.of("CF-Access-Client-Id", clientId, "CF-Access-Client-Secret", secret))
                        .status(),
                "Cloudflare header names");

        String jwt = Http.clientCredentials(realm.getBaseUrl(), clientId, secret)
                .json()
                .get("access_token")
                .asText();
        assertEquals(200, get("/", Map.of("Authorization", "Bearer " + jwt)).status(), "a JWT the bot fetched itself");
        assertEquals(clientId, upstream.lastHeaders().get("X-Auth-Client-Id"));
    }

    @Test
    void tokensForOtherAppsAndExpiredTokensAreRefused() throws Exception {
        ensureClient("other-app");
        JsonNode elsewhere = api.create("other app bot", null, "other-app");
        int before = upstream.hits();
        Http.Reply refused = get(
                "/",
                Map.of(
                        "KC-Access-Client-Id",
                        elsewhere.get("clientId").asText(),
                        "KC-Access-Client-Secret",
                        elsewhere.get("clientSecret").asText()));
        assertEquals(403, refused.status(), "valid token, not allowed for this app: " + refused.printable());
        String otherJwt = Http.clientCredentials(
                        realm.getBaseUrl(),
                        elsewhere.get("clientId").asText(),
                        elsewhere.get("clientSecret").asText())
                .json()
                .get("access_token")
                .asText();
        assertEquals(
                401,
                get("/", Map.of("Authorization", "Bearer " + otherJwt)).status(),
                "a JWT whose aud is another app");

        JsonNode shortLived = api.create("short lived", "PT2S", "demo-app");
        Thread.sleep(3_000);
        assertEquals(
                401,
                get(
                                "/",
                                Map.of(
                                        "KC-Access-Client-Id",
                                        shortLived.get("clientId").asText(),
                                        "KC-Access-Client-Secret",
                                        shortLived.get("clientSecret").asText()))
                        .status(),
                "expired token");
        assertEquals(before, upstream.hits(), "the app saw none of these");
    }

    @Test
    void aThousandRequestsCauseOneTokenRequestAtKeycloak() throws Exception {
        JsonNode token = api.create("busy bot", null, "demo-app");
        String clientId = token.get("clientId").asText();
        Map<String, String> headers = Map.of(
                "KC-Access-Client-Id",
                clientId,
                "KC-Access-Client-Secret",
                token.get("clientSecret").asText());
        double callsBefore = sidecar.metric("sidecar_exchange_calls_total");
        for (int i = 0; i < 1_000; i++) {
            assertEquals(200, get("/items/" + i, headers).status());
        }
        long tokenRequests = realm.admin()
                .getEvents(List.of("CLIENT_LOGIN"), clientId, null, null, null, null, 0, 100)
                .size();
        assertEquals(1, tokenRequests, "Keycloak's CLIENT_LOGIN events for the token");
        assertEquals(1.0, sidecar.metric("sidecar_exchange_calls_total") - callsBefore, "the sidecar's count agrees");
    }

    @Test
    void deletingATokenLocksItOutWithinFiveSeconds() {
        JsonNode token = api.create("doomed bot", null, "demo-app");
        String clientId = token.get("clientId").asText();
        String secret = token.get("clientSecret").asText();
        Map<String, String> headers = Map.of("KC-Access-Client-Id", clientId, "KC-Access-Client-Secret", secret);
        String jwt = Http.clientCredentials(realm.getBaseUrl(), clientId, secret)
                .json()
                .get("access_token")
                .asText();
        assertEquals(200, get("/", headers).status());
        assertEquals(200, get("/", Map.of("Authorization", "Bearer " + jwt)).status());

        Instant deleted = Instant.now();
        assertEquals(204, api.delete("/" + token.get("id").asText()).status());
        while (get("/", headers).status() != 401) {
            assertTrue(Duration.between(deleted, Instant.now()).toSeconds() < 5, "refused within 5 s");
        }
        long millis = Duration.between(deleted, Instant.now()).toMillis();
        System.out.println("Deleted service token refused by the sidecar after " + millis + " ms");
        assertTrue(
                Http.jwtPayload(jwt).get("exp").asLong() > Instant.now().getEpochSecond() + 60,
                "its JWT would still be valid");
        assertEquals(401, get("/", Map.of("Authorization", "Bearer " + jwt)).status(), "the JWT it had is refused too");
    }

    /**
     * What Keycloak 26.7 itself puts into a service account's token (client_id = azp) and into a human's token
     * through the same client (no client_id), and what the sidecar makes of a human named like a service account.
     */
    @Test
    void aKeycloakServiceAccountIsAServiceAndAHumanNamedLikeOneIsNot() {
        String clientId = "plain-job-" + System.nanoTime();
        String secret = "plain-job-secret-" + System.nanoTime();
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId(clientId);
        client.setPublicClient(false);
        client.setSecret(secret);
        client.setServiceAccountsEnabled(true);
        client.setDirectAccessGrantsEnabled(true);
        client.setStandardFlowEnabled(false);
        ProtocolMapperRepresentation audience = new ProtocolMapperRepresentation();
        audience.setName("demo-app audience");
        audience.setProtocol("openid-connect");
        audience.setProtocolMapper("oidc-audience-mapper");
        audience.setConfig(Map.of("included.client.audience", "demo-app", "access.token.claim", "true"));
        client.setProtocolMappers(List.of(audience));
        realm.admin().clients().create(client).close();

        String serviceJwt = Http.clientCredentials(realm.getBaseUrl(), clientId, secret)
                .json()
                .get("access_token")
                .asText();
        JsonNode service = Http.jwtPayload(serviceJwt);
        assertEquals(clientId, service.get("client_id").asText(), "the service_account scope's client_id claim");
        assertEquals(clientId, service.get("azp").asText());
        assertEquals(
                200, get("/", Map.of("Authorization", "Bearer " + serviceJwt)).status());
        assertEquals("service", upstream.lastHeaders().get("X-Auth-Type"));

        UserRepresentation mallory = new UserRepresentation();
        mallory.setUsername("service-account-" + clientId + "-mallory");
        mallory.setEnabled(true);
        mallory.setEmail(clientId + "-mallory@example.com");
        mallory.setEmailVerified(true);
        mallory.setFirstName("Mallory");
        mallory.setLastName("Human");
        CredentialRepresentation password = new CredentialRepresentation();
        password.setType(CredentialRepresentation.PASSWORD);
        password.setValue("mallory-password-1");
        password.setTemporary(false);
        mallory.setCredentials(List.of(password));
        try (var created = realm.admin().users().create(mallory)) {
            assertEquals(201, created.getStatus(), "Keycloak lets a human take such a name");
        }
        Http.Reply login =
                Http.send(HttpRequest.newBuilder(URI.create(realm.getBaseUrl() + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(Http.form(Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                clientId,
                                "client_secret",
                                secret,
                                "username",
                                mallory.getUsername(),
                                "password",
                                "mallory-password-1")))));
        assertEquals(200, login.status(), login.printable());
        String humanJwt = login.json().get("access_token").asText();
        JsonNode human = Http.jwtPayload(humanJwt);
        assertEquals(mallory.getUsername(), human.get("preferred_username").asText());
        assertFalse(human.has("client_id"), "a user's token through the same client carries no client_id: " + human);
        assertEquals(
                200, get("/", Map.of("Authorization", "Bearer " + humanJwt)).status());
        assertEquals("user", upstream.lastHeaders().get("X-Auth-Type"), "a name is no evidence");
    }

    private void ensureClient(String clientId) {
        if (realm.admin().clients().findByClientId(clientId).isEmpty()) {
            ClientRepresentation client = new ClientRepresentation();
            client.setClientId(clientId);
            client.setPublicClient(false);
            realm.admin().clients().create(client).close();
        }
    }

    private Http.Reply get(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sidecar.url() + path))
                .header("Accept", "application/json")
                .GET();
        headers.forEach(request::header);
        return Http.send(request);
    }
}

package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * Fail closed at the token endpoint: credentials Keycloak's own authenticator would choke on, and tokens whose
 * stored state is unreadable or was changed behind the service-token API (a realm import brings them in here,
 * the only path left that may). Every refusal is 401 invalid_client with the reason in the event; the API shows
 * the token as broken with its problems, and repair or the named call fixes it.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class TamperedStateIT extends DemoRealmITBase {

    @Test
    void everyUnreadableBasicHeaderIsACleanInvalidClient() throws IOException {
        JsonNode created = api.create("basic edge cases", null, "demo-app");
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        long logStart = Files.size(ServiceTokenServerConfig.SERVER_LOG);

        // RFC 6749 §2.3.1: both parts are form-url-encoded inside Basic, so encoded characters decode.
        String encodedId = "%" + Integer.toHexString(clientId.charAt(0)) + clientId.substring(1);
        String encodedSecret = "%" + Integer.toHexString(secret.charAt(0)).toUpperCase() + secret.substring(1);
        assertEquals(
                200,
                basic((encodedId + ":" + encodedSecret).getBytes(StandardCharsets.UTF_8))
                        .status(),
                "percent-encoded ID and secret");

        assertRefused(
                basic((clientId + ":kcst_%zz").getBytes(StandardCharsets.UTF_8)), clientId, "malformed_credentials");
        assertRefused(
                basic((clientId + ":" + secret + "%").getBytes(StandardCharsets.UTF_8)),
                clientId,
                "malformed_credentials");
        assertRefused(
                basic((clientId + ":kcst_%C3").getBytes(StandardCharsets.UTF_8)), clientId, "malformed_credentials");
        byte[] notUtf8 = (clientId + ":kcst_\u0000\u0000").getBytes(StandardCharsets.ISO_8859_1);
        notUtf8[notUtf8.length - 2] = (byte) 0xFF;
        notUtf8[notUtf8.length - 1] = (byte) 0xFE;
        assertRefused(basic(notUtf8), clientId, "malformed_credentials");
        assertRefused(basic((clientId + ":").getBytes(StandardCharsets.UTF_8)), clientId, "malformed_secret");
        assertRefused(
                token("Basic " + base64(clientId + ":" + secret), "client_id=" + clientId + "&client_id=" + clientId),
                clientId,
                "ambiguous_credentials");
        assertRefused(
                token(null, "client_id=" + clientId + "&client_id=other&client_secret=" + secret),
                clientId,
                "ambiguous_credentials");
        assertRefused(
                token("Basic " + base64(clientId + ":" + secret), "client_secret=" + secret),
                clientId,
                "ambiguous_credentials");
        assertRefused(
                token("Basic " + base64("demo-app:x"), "client_id=" + clientId + "&client_secret=" + secret),
                clientId,
                "ambiguous_credentials");
        // Keycloak reads the form before any authenticator: a body it cannot decode is refused by our filter first.
        assertRefused(
                token(null, "client_id=" + clientId + "&client_secret=kcst_%zz"), clientId, "malformed_credentials");
        assertRefused(
                token(null, "client_id=" + clientId + "&client_secret=" + secret + "%"),
                clientId,
                "malformed_credentials");
        assertRefused(
                token("Basic " + base64(clientId + ":" + secret), "scope=%zz"), clientId, "malformed_credentials");
        Http.Reply introspection = Http.send(
                HttpRequest.newBuilder(URI.create(realm.getBaseUrl() + "/protocol/openid-connect/token/introspect"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "token=x&client_id=" + clientId + "&client_secret=kcst_%zz")));
        assertEquals(401, introspection.status(), introspection.printable());
        assertEquals("invalid_client", introspection.json().get("error").asText());
        assertEquals(
                200,
                token(null, "client_id=" + clientId + "&client_secret=" + secret)
                        .status(),
                "a well-formed body still works");

        String log = Files.readString(ServiceTokenServerConfig.SERVER_LOG).substring((int) logStart);
        assertFalse(log.contains("\tat org.keycloak"), "no stack trace in Keycloak's log");
        assertFalse(
                log.contains("Unexpected error when authenticating client"),
                "Keycloak's own authenticator never choked");
        assertFalse(log.contains(secret.substring(5, 30)), "no secret in the log");
    }

    @Test
    void brokenImportedTokensAreRefusedShownAndFixed() {
        String name = "tampered-" + Long.toString(System.nanoTime(), 36);
        String secret = TokenSecrets.generate();
        RealmRepresentation rep = ImportedTokens.realm(name);
        List<ClientRepresentation> clients = new ArrayList<>();
        List<UserRepresentation> users = new ArrayList<>();
        ClientRepresentation app = new ClientRepresentation();
        app.setClientId("legacy-app");
        app.setPublicClient(false);
        clients.add(app);
        Map<String, Map<String, String>> cases = new java.util.LinkedHashMap<>();
        cases.put("healthy", Map.of());
        cases.put("expiry", Map.of("service-token.expires-at", "next tuesday"));
        cases.put("hash", Map.of("service-token.secret-hash", "!!not base64!!"));
        cases.put("created", Map.of("service-token.created-at", "yesterday"));
        cases.put("apps", Map.of("service-token.application-ids", "{not json"));
        cases.put("legacy", Map.of("service-token.applications", "[\"legacy-app\"]"));
        cases.put("type", Map.of());
        for (var entry : cases.entrySet()) {
            ClientRepresentation token = ImportedTokens.tokenClient(entry.getKey() + "-bot", secret, entry.getValue());
            if (entry.getKey().equals("type")) {
                token.setClientAuthenticatorType("client-secret");
                token.setSecret("plain-text-secret");
            }
            clients.add(token);
            users.add(ImportedTokens.serviceAccount(token.getClientId()));
        }
        rep.setClients(clients);
        rep.setUsers(users);
        admin.realms().create(rep);
        try {
            String realmUrl = urls.getBase() + "/realms/" + name;
            TokenApi imported = tokenApi(name);
            Map<String, String> ids = new HashMap<>();
            for (JsonNode token : imported.get("").json()) {
                ids.put(token.get("clientId").asText(), token.get("id").asText());
            }
            assertEquals(
                    cases.size(), ids.size(), "every imported token is listed, the retyped one too: " + ids.keySet());

            assertEquals(
                    200,
                    Http.clientCredentials(realmUrl, "healthy-bot", secret).status(),
                    "a whole-realm import may bring tokens");
            Http.Reply legacy = Http.clientCredentials(realmUrl, "legacy-bot", secret);
            assertEquals(200, legacy.status());
            assertTrue(
                    ServiceTokenLifecycleIT.audience(Http.jwtPayload(
                                    legacy.json().get("access_token").asText()))
                            .contains("legacy-app"),
                    "applications stored by client ID text are resolved");

            Map<String, String> expectedReasons = Map.of(
                    "expiry-bot",
                    "expiry_unreadable",
                    "hash-bot",
                    "secret_hash_unreadable",
                    "created-bot",
                    "created_at_unreadable",
                    "apps-bot",
                    "applications_unreadable",
                    "type-bot",
                    "authenticator_changed");
            expectedReasons.forEach((clientId, reason) -> {
                Http.Reply refused = Http.clientCredentials(realmUrl, clientId, secret);
                assertEquals(401, refused.status(), clientId + ": " + refused.printable());
                assertEquals("invalid_client", refused.json().get("error").asText(), clientId);
                assertEquals(reason, lastErrorReason(name, clientId), clientId);
                JsonNode view = imported.get("/" + ids.get(clientId)).json();
                assertEquals("broken", view.get("status").asText(), clientId);
                assertEquals(reason, view.get("problems").get(0).get("reason").asText(), clientId);
            });
            Http.Reply stockSecret = Http.clientCredentialsPost(realmUrl, "type-bot", "plain-text-secret");
            assertEquals(401, stockSecret.status(), "a retyped token is not opened by a plain client secret");

            // The fixes: repair for what it can, extend and rotate for what needs the admin's choice.
            for (String clientId : List.of("created-bot", "apps-bot", "type-bot")) {
                JsonNode before = imported.get("/" + ids.get(clientId)).json();
                assertTrue(before.get("repairable").asBoolean(), clientId + " is repairable");
                Http.Reply repaired = imported.post("/" + ids.get(clientId) + "/repair", "");
                assertEquals(200, repaired.status(), repaired.printable());
                assertEquals("active", repaired.json().get("status").asText(), clientId + ": " + repaired.printable());
                assertEquals(
                        200,
                        Http.clientCredentials(realmUrl, clientId, secret).status(),
                        clientId + " works after repair");
            }
            assertFalse(imported.get("/" + ids.get("expiry-bot"))
                    .json()
                    .get("repairable")
                    .asBoolean());
            assertEquals(
                    "active",
                    imported.post("/" + ids.get("expiry-bot") + "/extend", "{\"duration\":\"P1D\"}")
                            .json()
                            .get("status")
                            .asText());
            assertEquals(
                    400,
                    imported.post("/" + ids.get("hash-bot") + "/rotate", "{\"gracePeriod\":\"PT1H\"}")
                            .status(),
                    "no grace for an unreadable secret");
            String rotated = imported.post("/" + ids.get("hash-bot") + "/rotate", "{}")
                    .json()
                    .get("clientSecret")
                    .asText();
            assertEquals(
                    200, Http.clientCredentials(realmUrl, "hash-bot", rotated).status());
        } finally {
            admin.realms().realm(name).remove();
        }
    }

    private String lastErrorReason(String realmName, String clientId) {
        List<EventRepresentation> errors = admin.realms()
                .realm(realmName)
                .getEvents(List.of("CLIENT_LOGIN_ERROR"), clientId, null, null, null, null, 0, 1);
        return errors.isEmpty() ? null : errors.get(0).getDetails().get("service_token_error");
    }

    private void assertRefused(Http.Reply reply, String clientId, String reason) {
        assertEquals(401, reply.status(), reason + ": " + reply.printable());
        assertEquals("invalid_client", reply.json().get("error").asText());
        assertEquals(reason, lastErrorReason(realm.getName(), clientId));
    }

    private Http.Reply basic(byte[] credentials) {
        return token("Basic " + Base64.getEncoder().encodeToString(credentials), null);
    }

    private Http.Reply token(String authorization, String extraForm) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(realm.getBaseUrl() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials" + (extraForm == null ? "" : "&" + extraForm)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return Http.send(request);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}

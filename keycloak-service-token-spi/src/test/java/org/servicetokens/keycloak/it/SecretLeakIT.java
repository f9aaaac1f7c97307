package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * A secret appears in exactly one HTTP response. After a run that creates, rotates, uses and fails with secrets,
 * none of them is found in an export, an event, the server log, a client representation or the API's reads.
 * Assertion messages name the place, never the secret.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class SecretLeakIT extends DemoRealmITBase {

    @Test
    void secretsAppearNowhereButTheirOneResponse() throws IOException {
        List<String> secrets = new ArrayList<>();

        JsonNode created = api.create("leak check", "P10D", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        secrets.add(created.get("clientSecret").asText());
        secrets.add(api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT1H\"}")
                .json()
                .get("clientSecret")
                .asText());
        secrets.add(api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT0S\"}")
                .json()
                .get("clientSecret")
                .asText());
        JsonNode other = api.create("leak check two", null);
        secrets.add(other.get("clientSecret").asText());

        // Use them: successes, failures (a revoked secret, another token's secret, client_secret_post).
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secrets.get(2))
                        .status());
        assertEquals(
                401,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secrets.get(0))
                        .status());
        assertEquals(
                401,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secrets.get(3))
                        .status());
        assertEquals(
                401,
                Http.clientCredentialsPost(realm.getBaseUrl(), clientId, secrets.get(1))
                        .status());
        api.put("/" + id, "{\"name\":\"leak check renamed\"}");
        api.post("/" + id + "/extend", "{\"duration\":\"P20D\"}");

        Map<String, String> places = new LinkedHashMap<>();
        places.put(
                "partial export",
                Http.send(HttpRequest.newBuilder(URI.create(urls.getBase() + "/admin/realms/" + realm.getName()
                                        + "/partial-export?exportClients=true&exportGroupsAndRoles=true"))
                                .header(
                                        "Authorization",
                                        "Bearer " + admin.tokenManager().getAccessTokenString())
                                .POST(HttpRequest.BodyPublishers.noBody()))
                        .body());
        places.put("admin events", Http.JSON.writeValueAsString(realm.admin().getAdminEvents()));
        places.put("user events", Http.JSON.writeValueAsString(realm.admin().getEvents()));
        places.put(
                "client representations",
                Http.JSON.writeValueAsString(realm.admin().clients().findAll()));
        places.put(
                "stock client-secret endpoint",
                Http.JSON.writeValueAsString(realm.admin().clients().get(id).getSecret()));
        places.put("service-token reads", api.get("").body() + api.get("/" + id).body());
        places.put("server log", Files.readString(ServiceTokenServerConfig.SERVER_LOG));

        assertTrue(places.get("admin events").contains("service-tokens/" + id), "admin events were recorded");
        assertTrue(places.get("server log").contains(clientId), "the server log covers this run");
        places.forEach((place, text) -> {
            for (int i = 0; i < secrets.size(); i++) {
                assertFalse(text.contains(secrets.get(i)), "secret #" + i + " found in the " + place);
                // Half a secret is still a leak worth catching (e.g. a truncated log line).
                assertFalse(
                        text.contains(secrets.get(i).substring(5, 30)),
                        "part of secret #" + i + " found in the " + place);
            }
        });
    }
}

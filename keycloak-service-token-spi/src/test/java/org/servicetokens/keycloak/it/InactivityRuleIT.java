package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * The daily job applies the realm's inactivity rule. Tokens are aged by moving their recorded times back through
 * the stock clients API (what a token that really sat unused for months looks like in the database).
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class InactivityRuleIT {

    @InjectAdminClient
    Keycloak admin;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    @InjectRealm(fromJson = "/demo-realm.json")
    ManagedRealm realm;

    @Test
    void unusedTokensAreDisabledThenDeletedAsConfigured() {
        TokenApi api = new TokenApi(urls.getBase(), realm.getName(), () -> admin.tokenManager().getAccessTokenString());
        JsonNode stale = api.create("stale bot", null);
        JsonNode busy = api.create("busy bot", null);
        age(stale.get("id").asText(), Duration.ofDays(100));
        age(busy.get("id").asText(), Duration.ofDays(100));
        // busy was used just now: its last use is what counts, not its age.
        assertEquals(200, Http.clientCredentials(realm.getBaseUrl(), busy.get("clientId").asText(), busy.get("clientSecret").asText()).status());

        assertEquals(200, api.put("/settings", "{\"inactivityDays\":30,\"inactivityAction\":\"disable\"}").status());
        try {
            String staleId = stale.get("id").asText();
            ServiceTokenLifecycleIT.waitUntil(Duration.ofSeconds(ServiceTokenServerConfig.MAINTENANCE_INTERVAL_SECONDS * 5L),
                    () -> "disabled".equals(api.get("/" + staleId).json().get("status").asText()));
            assertEquals("active", api.get("/" + busy.get("id").asText()).json().get("status").asText());
            assertEquals(401, Http.clientCredentials(realm.getBaseUrl(), stale.get("clientId").asText(),
                    stale.get("clientSecret").asText()).status());

            assertEquals(200, api.put("/settings", "{\"inactivityAction\":\"delete\"}").status());
            ServiceTokenLifecycleIT.waitUntil(Duration.ofSeconds(ServiceTokenServerConfig.MAINTENANCE_INTERVAL_SECONDS * 5L),
                    () -> api.get("/" + staleId).status() == 404);
            assertEquals(200, api.get("/" + busy.get("id").asText()).status());
        } finally {
            api.put("/settings", "{\"inactivityDays\":0,\"inactivityAction\":\"none\"}");
        }
    }

    private void age(String id, Duration by) {
        ClientRepresentation client = realm.admin().clients().get(id).toRepresentation();
        long past = Instant.now().minus(by).getEpochSecond();
        client.getAttributes().put("service-token.created-at", Long.toString(past));
        realm.admin().clients().get(id).update(client);
    }
}

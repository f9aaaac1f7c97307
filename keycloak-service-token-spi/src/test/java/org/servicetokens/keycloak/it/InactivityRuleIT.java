package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * The daily job applies the realm's inactivity rule. The tokens come from a whole-realm import that dates their
 * creation 100 days back (what a token that really sat unused for months looks like in the database); Keycloak's
 * clients API cannot age them, it refuses changes to service tokens.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class InactivityRuleIT extends ServiceTokenITBase {

    @Test
    void unusedTokensAreDisabledThenDeletedAsConfigured() {
        String name = "inactivity-" + Long.toString(System.nanoTime(), 36);
        String secret = TokenSecrets.generate();
        String hundredDaysAgo =
                Long.toString(Instant.now().minus(Duration.ofDays(100)).getEpochSecond());
        RealmRepresentation rep = new RealmRepresentation();
        rep.setRealm(name);
        rep.setEnabled(true);
        rep.setClients(List.of(
                ImportedTokens.tokenClient("stale-bot", secret, Map.of("service-token.created-at", hundredDaysAgo)),
                ImportedTokens.tokenClient("busy-bot", secret, Map.of("service-token.created-at", hundredDaysAgo))));
        rep.setUsers(List.of(ImportedTokens.serviceAccount("stale-bot"), ImportedTokens.serviceAccount("busy-bot")));
        admin.realms().create(rep);
        try {
            String realmUrl = urls.getBase() + "/realms/" + name;
            TokenApi api = tokenApi(name);
            Map<String, String> ids = new HashMap<>();
            for (JsonNode token : api.get("").json()) {
                ids.put(token.get("clientId").asText(), token.get("id").asText());
            }
            // busy was used just now: its last use is what counts, not its age.
            assertEquals(
                    200, Http.clientCredentials(realmUrl, "busy-bot", secret).status());
            assertEquals(
                    200,
                    api.put("/settings", "{\"inactivityDays\":30,\"inactivityAction\":\"disable\"}")
                            .status());
            String staleId = ids.get("stale-bot");
            ServiceTokenLifecycleIT.waitUntil(
                    Duration.ofSeconds(ServiceTokenServerConfig.MAINTENANCE_INTERVAL_SECONDS * 5L),
                    () -> "disabled"
                            .equals(api.get("/" + staleId).json().get("status").asText()));
            assertEquals(
                    "active",
                    api.get("/" + ids.get("busy-bot")).json().get("status").asText());
            assertEquals(
                    401, Http.clientCredentials(realmUrl, "stale-bot", secret).status());

            assertEquals(
                    200,
                    api.put("/settings", "{\"inactivityAction\":\"delete\"}").status());
            ServiceTokenLifecycleIT.waitUntil(
                    Duration.ofSeconds(ServiceTokenServerConfig.MAINTENANCE_INTERVAL_SECONDS * 5L),
                    () -> api.get("/" + staleId).status() == 404);
            assertEquals(200, api.get("/" + ids.get("busy-bot")).status());
        } finally {
            admin.realms().realm(name).remove();
        }
    }
}

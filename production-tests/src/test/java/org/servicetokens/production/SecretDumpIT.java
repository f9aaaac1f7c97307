package org.servicetokens.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.servicetokens.production.harness.Cluster;
import org.servicetokens.production.harness.TokenApi;

/**
 * After a token's whole lifecycle (create, use on both nodes, rotate with grace, use both secrets, extend, disable,
 * enable, rotate again, delete), {@code pg_dump} of Keycloak's database holds no secret nor any 8-character piece
 * of one: only hashes are stored.
 */
class SecretDumpIT {

    private final Cluster cluster = Cluster.get();

    @Test
    void theDatabaseHoldsNoSecretNorAnyPieceOfOne() throws Exception {
        TokenApi api = cluster.api(cluster.lb.url());
        List<String> secrets = new ArrayList<>();
        JsonNode kept = api.create("dump-kept", "P365D", List.of("demo-app"));
        JsonNode gone = api.create("dump-gone", "P365D", List.of("demo-app"));
        String id = kept.get("id").asText();
        String clientId = kept.get("clientId").asText();
        secrets.add(kept.get("clientSecret").asText());
        secrets.add(gone.get("clientSecret").asText());
        assertEquals(
                200,
                cluster.https
                        .exchange(cluster.a.url(), clientId, secrets.get(0))
                        .status());
        assertEquals(
                200,
                cluster.https
                        .exchange(cluster.b.url(), clientId, secrets.get(0))
                        .status());
        String second = api.call("POST", "/" + id + "/rotate", Map.of("gracePeriod", "P1D"))
                .json()
                .get("clientSecret")
                .asText();
        secrets.add(second);
        assertEquals(
                200,
                cluster.https
                        .exchange(cluster.a.url(), clientId, secrets.get(0))
                        .status());
        assertEquals(
                200, cluster.https.exchange(cluster.b.url(), clientId, second).status());
        assertEquals(
                200,
                api.call("POST", "/" + id + "/extend", Map.of("duration", "P400D"))
                        .status());
        assertEquals(200, api.call("PUT", "/" + id, Map.of("enabled", false)).status());
        assertEquals(200, api.call("PUT", "/" + id, Map.of("enabled", true)).status());
        secrets.add(api.call("POST", "/" + id + "/rotate", Map.of("gracePeriod", "PT0S"))
                .json()
                .get("clientSecret")
                .asText());
        assertEquals(
                204, api.call("DELETE", "/" + gone.get("id").asText(), null).status());

        String dump = cluster.postgres.dump();
        assertFalse(dump.length() < 10_000, "a real dump");
        int pieces = 0;
        for (String secret : secrets) {
            assertFalse(dump.contains(secret), "a secret is in the dump");
            String body = secret.substring("kcst_".length(), "kcst_".length() + 43);
            assertFalse(dump.contains(body), "a secret's 43-character body is in the dump");
            for (int i = 0; i + 8 <= secret.length(); i++) {
                String piece = secret.substring(i, i + 8);
                // Reported by position only: the piece itself is part of a secret.
                assertFalse(dump.contains(piece), "8 characters of a secret (from position " + i + ") are in the dump");
                pieces++;
            }
        }
        System.out.println("pg_dump (" + dump.length() + " characters) searched for " + secrets.size()
                + " secrets, their bodies and " + pieces + " 8-character pieces: none found");
    }
}

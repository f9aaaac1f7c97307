package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.AdminEventRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * Each secret's use, as the API shows it and as it is stored. The test framework cannot restart Keycloak within a
 * class, so "survives a restart" is checked where a restart reads it from: the client attributes in the database
 * (read through Keycloak's stock clients API), after the flush.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class SecretUseIT extends DemoRealmITBase {

    private static final String CURRENT_USE = "service-token.secret-use";
    private static final String PREVIOUS_USE = "service-token.previous-secret-use";

    /**
     * After a rotation with grace, the old secret moves only the previous secret's use and the new one only the
     * current's; both reach the database, and a token is written at most once a minute by this node although the
     * flush runs every second here.
     */
    @Test
    void eachSecretMovesOnlyItsOwnUseAndIsWrittenAtMostOncePerMinute() throws Exception {
        long logStart = Files.size(ServiceTokenServerConfig.SERVER_LOG);
        JsonNode created = api.create("secret use", null, "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String oldSecret = created.get("clientSecret").asText();

        assertEquals(
                200,
                BoundHttp.clientCredentials("127.0.0.1", realm.getBaseUrl(), clientId, oldSecret, "first-bot/1")
                        .status());
        Map<String, String> stored = awaitStored(id, attributes -> attributes.containsKey(CURRENT_USE));
        Instant firstWrite = Instant.now();
        assertTrue(stored.get(CURRENT_USE).contains("\"count\":1"), stored.get(CURRENT_USE));
        assertTrue(stored.get(CURRENT_USE).contains("first-bot/1"), stored.get(CURRENT_USE));

        Http.Reply rotated = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT1H\"}");
        assertEquals(200, rotated.status());
        String newSecret = rotated.json().get("clientSecret").asText();
        JsonNode afterRotation = api.get("/" + id).json();
        assertTrue(afterRotation.get("secretUse").isNull(), "the new secret has not been used");
        assertEquals(
                1, afterRotation.get("previousSecretUse").get("count").asLong(), "the old secret's use moved with it");

        for (int i = 0; i < 3; i++) {
            assertEquals(
                    200,
                    BoundHttp.clientCredentials("127.0.0.2", realm.getBaseUrl(), clientId, oldSecret, "old-bot/1")
                            .status());
        }
        JsonNode oldUsed = api.get("/" + id).json();
        assertTrue(oldUsed.get("secretUse").isNull(), "the old secret does not move the current secret's use");
        JsonNode previous = oldUsed.get("previousSecretUse");
        assertEquals(4, previous.get("count").asLong());
        assertEquals("127.0.0.2", previous.get("address").asText());
        assertEquals("old-bot/1", previous.get("userAgent").asText());

        for (int i = 0; i < 2; i++) {
            assertEquals(
                    200,
                    BoundHttp.clientCredentials("127.0.0.1", realm.getBaseUrl(), clientId, newSecret, "new-bot/2")
                            .status());
        }
        JsonNode bothUsed = api.get("/" + id).json();
        assertEquals(
                previous, bothUsed.get("previousSecretUse"), "the new secret does not move the previous secret's use");
        assertEquals(2, bothUsed.get("secretUse").get("count").asLong());
        assertEquals("127.0.0.1", bothUsed.get("secretUse").get("address").asText());
        assertEquals("new-bot/2", bothUsed.get("secretUse").get("userAgent").asText());

        // Within the minute after the first write, the flush (every second) writes nothing more: what is stored is
        // still the state the rotation left.
        Map<String, String> held = storedAttributes(id);
        assertFalse(held.containsKey(CURRENT_USE), "not written again within the minute: " + held.get(CURRENT_USE));
        assertTrue(held.get(PREVIOUS_USE).contains("\"count\":1"), held.get(PREVIOUS_USE));

        long wait = firstWrite.plusSeconds(60).toEpochMilli() - System.currentTimeMillis();
        assertTrue(wait > 0, "the test reached this point within the minute");
        Thread.sleep(wait);
        Map<String, String> later = awaitStored(id, attributes -> attributes.containsKey(CURRENT_USE));
        assertTrue(
                later.get(CURRENT_USE).contains("\"count\":2")
                        && later.get(CURRENT_USE).contains("new-bot/2"),
                later.get(CURRENT_USE));
        assertTrue(
                later.get(PREVIOUS_USE).contains("\"count\":4")
                        && later.get(PREVIOUS_USE).contains("127.0.0.2"),
                later.get(PREVIOUS_USE));

        String log = Files.readString(ServiceTokenServerConfig.SERVER_LOG).substring((int) logStart);
        long writes = log.lines()
                .filter(line -> line.contains("Stored the secret use of service token " + clientId))
                .count();
        assertEquals(2, writes, "one write at the first use, one a minute later, over some 60 flushes");
        assertFalse(
                log.contains(oldSecret.substring(5, 30)) || log.contains(newSecret.substring(5, 30)),
                "no secret in the log");
    }

    /** Ending a grace period while the old secret is still in use is an admin event, whoever ends it. */
    @Test
    void graceEndingWhileThePreviousSecretIsInUseIsAnAdminEvent() throws Exception {
        // By an admin (PUT previous-secret with a time now).
        JsonNode byAdmin = api.create("grace ended by admin", null, "demo-app");
        String adminId = byAdmin.get("id").asText();
        String adminOld = byAdmin.get("clientSecret").asText();
        assertEquals(
                200,
                api.post("/" + adminId + "/rotate", "{\"gracePeriod\":\"PT1H\"}")
                        .status());
        assertEquals(
                200,
                BoundHttp.clientCredentials(
                                "127.0.0.2",
                                realm.getBaseUrl(),
                                byAdmin.get("clientId").asText(),
                                adminOld,
                                "still-old/1")
                        .status());
        JsonNode ended = api.put("/" + adminId + "/previous-secret", "{\"expiresAt\":\"" + Instant.now() + "\"}")
                .json();
        assertTrue(
                ended.get("previousSecretUse").isNull()
                        && ended.get("previousSecretExpiresAt").isNull(),
                ended.toString());
        AdminEventRepresentation adminEvent = awaitEvent("service-tokens/" + adminId + "/grace-ended-in-use");
        assertNotNull(adminEvent.getAuthDetails().getUserId(), "made by the admin, it names the admin");
        JsonNode representation = Http.JSON.readTree(adminEvent.getRepresentation());
        assertEquals(
                "127.0.0.2",
                representation.get("previousSecretUse").get("address").asText());
        assertEquals(
                "still-old/1",
                representation.get("previousSecretUse").get("userAgent").asText());

        // By the grace-end job, for a short grace.
        JsonNode byJob = api.create("grace ended by job", null, "demo-app");
        String jobId = byJob.get("id").asText();
        assertEquals(
                200,
                api.post("/" + jobId + "/rotate", "{\"gracePeriod\":\"PT3S\"}").status());
        assertEquals(
                200,
                BoundHttp.clientCredentials(
                                "127.0.0.1",
                                realm.getBaseUrl(),
                                byJob.get("clientId").asText(),
                                byJob.get("clientSecret").asText(),
                                "cron/1")
                        .status());
        AdminEventRepresentation jobEvent = awaitEvent("service-tokens/" + jobId + "/grace-ended-in-use");
        assertEquals(
                "127.0.0.1",
                Http.JSON
                        .readTree(jobEvent.getRepresentation())
                        .get("previousSecretUse")
                        .get("address")
                        .asText());

        // A grace that ends with the old secret unused since the rotation raises none.
        JsonNode unused = api.create("grace ended unused", null, "demo-app");
        String unusedId = unused.get("id").asText();
        assertEquals(
                200,
                api.post("/" + unusedId + "/rotate", "{\"gracePeriod\":\"PT1H\"}")
                        .status());
        assertEquals(
                200,
                api.put("/" + unusedId + "/previous-secret", "{\"expiresAt\":\"" + Instant.now() + "\"}")
                        .status());
        assertTrue(realm.admin().getAdminEvents().stream()
                .noneMatch(e -> e.getResourcePath() != null
                        && e.getResourcePath().equals("service-tokens/" + unusedId + "/grace-ended-in-use")));
    }

    private AdminEventRepresentation awaitEvent(String resourcePath) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<AdminEventRepresentation> events = realm.admin().getAdminEvents();
            for (AdminEventRepresentation event : events) {
                if (resourcePath.equals(event.getResourcePath())) {
                    return event;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no admin event " + resourcePath);
    }

    private Map<String, String> storedAttributes(String id) {
        return realm.admin().clients().get(id).toRepresentation().getAttributes();
    }

    private Map<String, String> awaitStored(String id, Predicate<Map<String, String>> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        Map<String, String> attributes = storedAttributes(id);
        while (!condition.test(attributes) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            attributes = storedAttributes(id);
        }
        assertTrue(condition.test(attributes), "stored in time: " + attributes.keySet());
        return attributes;
    }
}

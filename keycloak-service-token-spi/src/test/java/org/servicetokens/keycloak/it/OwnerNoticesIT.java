package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.mail.MailServer;
import org.keycloak.testframework.mail.annotations.InjectMailServer;
import org.keycloak.testframework.realm.ManagedRealm;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * A token's owners get its expiry warnings (each once) and its inactivity notice, besides the realm's addresses; a
 * token's own inactivity rule overrides the realm's. Mail goes to the test framework's GreenMail server.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class OwnerNoticesIT extends ServiceTokenITBase {

    private static final int ROUND = ServiceTokenServerConfig.MAINTENANCE_INTERVAL_SECONDS;

    @InjectMailServer
    MailServer mail;

    @InjectRealm
    ManagedRealm realm;

    @Test
    void theExpiryWarningReachesTheOwnerOnce() throws Exception {
        TokenApi api = tokenApi(realm.getName());
        assertEquals(
                200,
                api.put("/settings", "{\"notifyEmails\":[],\"expiryWarningDays\":[30,7,1]}")
                        .status());
        Http.Reply created = api.post(
                "",
                "{\"name\":\"owned nightly\",\"duration\":\"P5D\",\"owners\":[\"owner@example.com\",\"owner@example.com\"]}");
        assertEquals(201, created.status(), created.printable());
        JsonNode view = api.get("/" + created.json().get("id").asText()).json();
        assertEquals("[\"owner@example.com\"]", view.get("owners").toString(), "duplicates dropped");
        assertTrue(
                view.get("inactivityDays").isNull()
                        && view.get("inactivityAction").isNull(),
                "the realm's rule applies");

        long deadline = System.currentTimeMillis() + ROUND * 6_000L;
        while (messagesTo("owner@example.com", "owned nightly").isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
        }
        List<MimeMessage> warnings = messagesTo("owner@example.com", "owned nightly");
        assertEquals(1, warnings.size(), "the owner got the warning");
        String body =
                new String(warnings.get(0).getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(body.contains(created.json().get("clientSecret").asText()), "never the secret");

        Thread.sleep(ROUND * 3_000L);
        assertEquals(1, messagesTo("owner@example.com", "owned nightly").size(), "once, however many rounds run");
    }

    /** An imported token unused since 2023, with its own rule (disable after 1 day) in a realm whose rule is off. */
    @Test
    void aTokensOwnRuleDisablesItAndTellsTheOwner() throws Exception {
        String name = "owners-" + Long.toString(System.nanoTime(), 36);
        String secret = TokenSecrets.generate();
        RealmRepresentation rep = new RealmRepresentation();
        rep.setRealm(name);
        rep.setEnabled(true);
        rep.setSmtpServer(Map.of("host", "localhost", "port", "3025", "from", "auto@keycloak.org"));
        rep.setClients(List.of(
                ImportedTokens.tokenClient(
                        "idle-bot",
                        secret,
                        Map.of(
                                "service-token.owners",
                                "[\"idle-owner@example.com\"]",
                                "service-token.inactivity-days",
                                "1",
                                "service-token.inactivity-action",
                                "disable")),
                ImportedTokens.tokenClient("realm-rule-bot", secret, Map.of())));
        rep.setUsers(
                List.of(ImportedTokens.serviceAccount("idle-bot"), ImportedTokens.serviceAccount("realm-rule-bot")));
        admin.realms().create(rep);
        try {
            TokenApi api = tokenApi(name);
            long deadline = System.currentTimeMillis() + ROUND * 6_000L;
            while (messagesTo("idle-owner@example.com", "idle-bot").isEmpty()
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(250);
            }
            List<MimeMessage> notices = messagesTo("idle-owner@example.com", "idle-bot");
            assertEquals(1, notices.size(), "the owner was told");
            assertTrue(
                    notices.get(0).getSubject().contains("disabled after 1 days without use"),
                    notices.get(0).getSubject());
            for (JsonNode token : api.get("").json()) {
                boolean idle = token.get("clientId").asText().equals("idle-bot");
                assertEquals(
                        idle ? "disabled" : "active",
                        token.get("status").asText(),
                        token.get("clientId").asText() + ": only the token with its own rule; the realm's rule is off");
                if (idle) {
                    assertEquals(1, token.get("inactivityDays").asInt());
                    assertEquals("disable", token.get("inactivityAction").asText());
                    // Back to the realm's rule.
                    JsonNode back = api.put(
                                    "/" + token.get("id").asText(), "{\"inactivityAction\":\"realm\",\"enabled\":true}")
                            .json();
                    assertTrue(
                            back.get("inactivityDays").isNull()
                                    && back.get("inactivityAction").isNull(),
                            back.toString());
                }
            }
            assertEquals(
                    400,
                    api.put("/" + api.get("").json().get(0).get("id").asText(), "{\"inactivityDays\":5}")
                            .status(),
                    "days without an action");
        } finally {
            admin.realms().realm(name).remove();
        }
    }

    /** The framework's mail server is shared by the module's tests: pick the messages of this test by recipient and subject. */
    private List<MimeMessage> messagesTo(String recipient, String subjectPart) throws MessagingException {
        return Arrays.stream(mail.getReceivedMessages())
                .filter(message -> {
                    try {
                        return message.getSubject() != null
                                && message.getSubject().contains(subjectPart)
                                && Arrays.stream(message.getAllRecipients())
                                        .map(Address::toString)
                                        .anyMatch(recipient::equals);
                    } catch (MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }
}

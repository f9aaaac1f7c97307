package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.mail.MailServer;
import org.keycloak.testframework.mail.annotations.InjectMailServer;
import org.keycloak.testframework.realm.ManagedRealm;

/** The daily job mails a warning, once per threshold, for a token inside the realm's warning window. */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class ExpiryWarningIT extends ServiceTokenITBase {

    @InjectMailServer
    MailServer mail;

    @InjectRealm
    ManagedRealm realm;

    @Test
    void warningIsDeliveredOnceToTheConfiguredAddresses() throws Exception {
        TokenApi api = tokenApi(realm.getName());
        assertEquals(
                200,
                api.put("/settings", "{\"notifyEmails\":[\"ops@example.com\"],\"expiryWarningDays\":[30,7,1]}")
                        .status());

        JsonNode expiring = api.create("nightly export", "P5D");
        api.create("far from expiry", "P200D");

        int interval = ServiceTokenServerConfig.MAINTENANCE_INTERVAL_SECONDS;
        assertTrue(mail.waitForIncomingEmail((interval * 5L) * 1000, 1), "a warning arrived");
        MimeMessage message = mail.getLastReceivedMessage();
        assertEquals(
                "ops@example.com",
                Arrays.stream(message.getAllRecipients())
                        .map(Address::toString)
                        .findFirst()
                        .orElseThrow());
        assertTrue(message.getSubject().contains("nightly export"), message.getSubject());
        String body = new String(message.getInputStream().readAllBytes());
        assertTrue(body.contains(expiring.get("clientId").asText()), "the mail names the client ID");
        assertFalse(body.contains(expiring.get("clientSecret").asText()), "never the secret");

        // Three more rounds of the job: the 7-day threshold is not mailed again, the far token never.
        Thread.sleep(interval * 3L * 1000);
        assertEquals(1, mail.getReceivedMessages().length, "each threshold is mailed once");
    }
}

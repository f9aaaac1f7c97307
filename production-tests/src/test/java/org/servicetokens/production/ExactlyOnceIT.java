package org.servicetokens.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.servicetokens.production.harness.Cluster;
import org.servicetokens.production.harness.PushCounter;

/**
 * Both nodes run every job on their own timers (maintenance every 2 s, grace check every 1 s, pushes every 1 s), and
 * each waits a second between claiming an effect and making it: the window in which the other node's job runs.
 * Each mail and each push still happens once.
 */
class ExactlyOnceIT {

    private final Cluster cluster = Cluster.get();

    @Test
    void expiryWarningsAreMailedOnceWhileBothNodesRace() throws Exception {
        assertEquals(
                200,
                cluster.api(cluster.lb.url())
                        .call(
                                "PUT",
                                "/settings",
                                Map.of(
                                        "notifyEmails",
                                        List.of("ops@example.com"),
                                        "expiryWarningDays",
                                        List.of(30, 7, 1)))
                        .status());
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            // Alternate the nodes that make them: where a token was made must not matter.
            String node = i % 2 == 0 ? cluster.a.url() : cluster.b.url();
            names.add("expiring-" + i);
            cluster.api(node).create("expiring-" + i, "P5D", List.of());
        }
        assertTrue(
                Cluster.await(Duration.ofSeconds(40), () -> mailsAbout(names).size() >= 3),
                "three warnings arrived: " + mailsAbout(names));
        // Ten more rounds of each node's job, every one of them inside another's claim-to-mail window.
        Thread.sleep(10_000);
        List<String> subjects = mailsAbout(names);
        System.out.println("Expiry warnings received: " + subjects);
        for (String name : names) {
            assertEquals(
                    1,
                    subjects.stream()
                            .filter(s -> s.contains("\"" + name + "\""))
                            .count(),
                    name + ": " + subjects);
        }
    }

    @Test
    void aGraceEndIsPushedOnceWhileBothNodesRace() throws Exception {
        try (PushCounter receiver = new PushCounter()) {
            cluster.createApplication("grace-app", receiver.url());
            JsonNode token = cluster.api(cluster.a.url()).create("grace-race", "P365D", List.of("grace-app"));
            String clientId = token.get("clientId").asText();
            assertEquals(
                    200,
                    cluster.api(cluster.b.url())
                            .call("POST", "/" + token.get("id").asText() + "/rotate", Map.of("gracePeriod", "PT2S"))
                            .status());
            assertTrue(
                    Cluster.await(
                            Duration.ofSeconds(40),
                            () -> !receiver.about(clientId, "grace-period-ended")
                                    .isEmpty()),
                    "the grace end was pushed");
            Thread.sleep(8_000);
            System.out.println("Pushes for the grace end: " + receiver.about(clientId, null));
            assertEquals(
                    1,
                    receiver.about(clientId, "grace-period-ended").size(),
                    receiver.all().toString());
        }
    }

    private List<String> mailsAbout(List<String> names) {
        List<String> subjects = new ArrayList<>();
        for (MimeMessage message : cluster.mail.getReceivedMessages()) {
            try {
                String subject = message.getSubject();
                if (names.stream().anyMatch(n -> subject.contains("\"" + n + "\""))) {
                    subjects.add(subject);
                }
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return subjects;
    }
}

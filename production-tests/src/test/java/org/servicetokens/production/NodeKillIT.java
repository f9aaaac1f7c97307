package org.servicetokens.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.servicetokens.production.harness.Cluster;
import org.servicetokens.production.harness.PushCounter;

/**
 * {@code kill -9} of a node under load, right after an admin change made on that node and before the node sends its
 * pushes (each node waits a second between claiming a push and sending it): the clients lose at most the one request
 * each had in flight there, and the change still reaches every application, sent by the other node once the dead
 * node's lease on the pushes runs out.
 */
class NodeKillIT {

    private static final int CLIENTS = 3;
    private final Cluster cluster = Cluster.get();

    @Test
    void aKilledNodeCostsAtMostTheRequestsInFlightAndItsPushesStillArrive() throws Exception {
        try (PushCounter app1 = new PushCounter();
                PushCounter app2 = new PushCounter()) {
            cluster.createApplication("kill-app-1", app1.url());
            cluster.createApplication("kill-app-2", app2.url());
            JsonNode doomed =
                    cluster.api(cluster.lb.url()).create("doomed", "P365D", List.of("kill-app-1", "kill-app-2"));
            List<JsonNode> bots = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                bots.add(cluster.api(cluster.lb.url()).create("load-" + i, "P365D", List.of()));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (JsonNode bot : bots) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            int status = cluster.https
                                    .exchange(
                                            cluster.lb.url(),
                                            bot.get("clientId").asText(),
                                            bot.get("clientSecret").asText())
                                    .status();
                            (status == 200 ? ok : failed).incrementAndGet();
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            Thread.sleep(3_000);
            // The change, made on node A itself; then A dies before its one-second claim-to-send pause is over.
            assertEquals(
                    204,
                    cluster.api(cluster.a.url())
                            .call("DELETE", "/" + doomed.get("id").asText(), null)
                            .status());
            cluster.a.kill();
            long killedAt = System.currentTimeMillis();
            Thread.sleep(6_000);
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
            System.out.println("kill -9 under load: " + ok.get() + " exchanges succeeded, " + failed.get() + " failed");
            assertTrue(failed.get() <= CLIENTS, "at most one in-flight request per client: " + failed.get());

            String clientId = doomed.get("clientId").asText();
            boolean arrived = Cluster.await(
                    Duration.ofSeconds(60),
                    () -> !app1.about(clientId, "deleted").isEmpty()
                            && !app2.about(clientId, "deleted").isEmpty());
            Thread.sleep(3_000);
            List<PushCounter.Push> at1 = app1.about(clientId, "deleted");
            List<PushCounter.Push> at2 = app2.about(clientId, "deleted");
            System.out.println("Pushes of the change made on the killed node: kill-app-1 received " + at1.size()
                    + ", kill-app-2 received " + at2.size()
                    + (at1.isEmpty() ? "" : ", first " + (at1.get(0).receivedAt() - killedAt) + " ms after the kill"));
            assertTrue(arrived, "every application got the push");
            String logB = java.nio.file.Files.readString(cluster.b.log());
            assertTrue(
                    logB.lines().anyMatch(l -> l.contains("Delivered") && l.contains("token=" + clientId)),
                    "node B sent the pushes the killed node A owed");
            assertEquals(1, at1.size());
            assertEquals(1, at2.size());
        } finally {
            cluster.restart(cluster.a);
        }
    }
}

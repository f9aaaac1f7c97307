package org.servicetokens.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.servicetokens.production.harness.Cluster;
import org.servicetokens.production.harness.KeycloakNode;
import org.servicetokens.production.harness.Sidecar;

/**
 * A rolling restart (node A, then B) and then a rolling upgrade of the provider (a newly built jar, node by node:
 * drain at the load balancer, stop, {@code kc.sh build}, {@code start --optimized}, back into the load balancer)
 * while bots call through the sidecar and straight at the load balancer's token endpoint: no request fails, and the
 * tokens made before keep working on both nodes.
 */
class RollingIT {

    private final Cluster cluster = Cluster.get();

    @Test
    void rollingRestartAndRollingUpgradeFailNoRequest() throws Exception {
        List<JsonNode> tokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(cluster.api(cluster.lb.url()).create("rolling-" + i, "P365D", List.of("demo-app")));
        }
        try (Sidecar sidecar = new Sidecar(cluster, cluster.pki.caCert)) {
            assertTrue(sidecar.awaitReady(Duration.ofSeconds(60)), sidecar.log());
            Bots bots = new Bots(sidecar, tokens);
            bots.start();
            Thread.sleep(2_000);
            for (KeycloakNode node : List.of(cluster.a, cluster.b)) {
                cluster.lb.drain(Set.of(node));
                node.stop();
                node.start();
                cluster.lb.drain(Set.of());
            }
            Thread.sleep(2_000);
            int[] restart = bots.snapshot();
            System.out.println("Rolling restart: through the sidecar " + restart[0] + " ok, " + restart[1]
                    + " failed; token endpoint at the load balancer " + restart[2] + " ok, " + restart[3] + " failed");

            Path upgraded = upgradedJar(cluster.base.resolve("keycloak-service-token-spi-next.jar"));
            long upgradeStarted = System.nanoTime();
            for (KeycloakNode node : List.of(cluster.a, cluster.b)) {
                cluster.lb.drain(Set.of(node));
                node.stop();
                cluster.installProvider(node, upgraded);
                node.start();
                cluster.lb.drain(Set.of());
            }
            Thread.sleep(2_000);
            bots.stop();
            int[] total = bots.snapshot();
            System.out.println("Rolling upgrade (" + (System.nanoTime() - upgradeStarted) / 1_000_000_000
                    + " s): through the sidecar "
                    + (total[0] - restart[0]) + " ok, " + (total[1] - restart[1]) + " failed; token endpoint "
                    + (total[2] - restart[2]) + " ok, " + (total[3] - restart[3]) + " failed; requests sent again after"
                    + " nginx closed an idle keep-alive connection on reload (whole run): "
                    + bots.staleConnectionRetries.get());
            assertEquals(0, total[1], "requests through the sidecar failed: " + bots.failures);
            assertEquals(0, total[3], "token requests at the load balancer failed: " + bots.failures);
            assertTrue(total[0] > 0 && total[2] > 0);
        }
        for (JsonNode token : tokens) {
            for (KeycloakNode node : List.of(cluster.a, cluster.b)) {
                assertEquals(
                        200,
                        cluster.https
                                .exchange(
                                        node.url(),
                                        token.get("clientId").asText(),
                                        token.get("clientSecret").asText())
                                .status(),
                        "a token made before the upgrade, at " + node.name);
            }
        }
    }

    /** The same provider, rebuilt: a version marker added, so the bytes (and Keycloak's build) differ. */
    private static Path upgradedJar(Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Cluster.providerJar()));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("META-INF/service-tokens-build.txt"));
            out.write(("rebuilt for the rolling-upgrade test at " + System.currentTimeMillis() + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return target;
    }

    /** Two bots through the sidecar and one straight at the token endpoint, each calling back to back. */
    private final class Bots {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger sidecarOk = new AtomicInteger();
        final AtomicInteger sidecarFailed = new AtomicInteger();
        final AtomicInteger directOk = new AtomicInteger();
        final AtomicInteger directFailed = new AtomicInteger();
        final AtomicInteger staleConnectionRetries = new AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();

        Bots(Sidecar sidecar, List<JsonNode> tokens) {
            for (int i = 0; i < 2; i++) {
                JsonNode token = tokens.get(i);
                threads.add(new Thread(() -> loop(
                        () -> sidecar.call(
                                token.get("clientId").asText(),
                                token.get("clientSecret").asText()),
                        sidecarOk,
                        sidecarFailed,
                        "sidecar")));
            }
            JsonNode token = tokens.get(2);
            threads.add(new Thread(() -> loop(
                    () -> {
                        try {
                            return cluster.https
                                    .exchange(
                                            cluster.lb.url(),
                                            token.get("clientId").asText(),
                                            token.get("clientSecret").asText())
                                    .status();
                        } catch (java.io.IOException closed) {
                            // nginx's reload closes idle keep-alive connections; a request written to one at that
                            // moment
                            // gets no byte back. Like any HTTP/1.1 client, the bot sends it again once, on a new
                            // connection
                            // (counted, and reported with the results).
                            if (!String.valueOf(closed.getMessage()).contains("received no bytes")) {
                                throw closed;
                            }
                            staleConnectionRetries.incrementAndGet();
                            return cluster.https
                                    .exchange(
                                            cluster.lb.url(),
                                            token.get("clientId").asText(),
                                            token.get("clientSecret").asText())
                                    .status();
                        }
                    },
                    directOk,
                    directFailed,
                    "token endpoint")));
        }

        interface Call {
            int status() throws Exception;
        }

        private void loop(Call call, AtomicInteger ok, AtomicInteger failed, String what) {
            while (running.get()) {
                try {
                    int status = call.status();
                    if (status == 200) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        failures.add(what + ": " + status);
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    failures.add(what + ": " + e);
                }
                KeycloakNode.sleep(20);
            }
        }

        void start() {
            threads.forEach(Thread::start);
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }

        int[] snapshot() {
            return new int[] {sidecarOk.get(), sidecarFailed.get(), directOk.get(), directFailed.get()};
        }
    }
}

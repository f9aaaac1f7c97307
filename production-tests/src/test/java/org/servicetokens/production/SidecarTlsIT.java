package org.servicetokens.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.servicetokens.production.harness.Cluster;
import org.servicetokens.production.harness.Pki;
import org.servicetokens.production.harness.Sidecar;

/**
 * The sidecar reaches Keycloak only through the TLS load balancer, trusting the private CA it is given: with the
 * cluster's CA it works; with another CA it refuses the load balancer's certificate and so never calls Keycloak.
 */
class SidecarTlsIT {

    private final Cluster cluster = Cluster.get();

    @Test
    void theSidecarRefusesAKeycloakSignedByAnotherCa() throws Exception {
        Pki stranger = Pki.create(cluster.base.resolve("stranger-ca"), "Some other CA");
        JsonNode token = cluster.api(cluster.lb.url()).create("tls-bot", "P365D", List.of("demo-app"));
        try (Sidecar sidecar = new Sidecar(cluster, stranger.caCert)) {
            assertFalse(sidecar.awaitReady(Duration.ofSeconds(15)), "never ready: discovery is refused");
            int status = sidecar.call(
                    token.get("clientId").asText(), token.get("clientSecret").asText());
            assertEquals(503, status, "a bot is told Keycloak cannot be reached");
            String log = sidecar.log();
            System.out.println("Sidecar with the wrong CA: not ready, bot call " + status + "; log mentions: "
                    + log.lines()
                            .filter(l -> l.contains("realm keys not loaded"))
                            .findFirst()
                            .orElse("(none)"));
            assertTrue(log.contains("realm keys not loaded yet"), "the log says so: " + log);
        }
        try (Sidecar sidecar = new Sidecar(cluster, cluster.pki.caCert)) {
            assertTrue(sidecar.awaitReady(Duration.ofSeconds(60)), "ready with the cluster's CA: " + sidecar.log());
            assertEquals(
                    200,
                    sidecar.call(
                            token.get("clientId").asText(),
                            token.get("clientSecret").asText()));
        }
    }
}

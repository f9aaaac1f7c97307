package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.ConfigLoader;

/** A start that fails (here: the cluster port is taken) reports its cause promptly, after closing what it started. */
class StartFailureTest {

    @Test
    void aFailedCacheStartFailsTheStartWithItsCause() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(taken.getLocalPort());
            var config = ConfigLoader.load(
                    null,
                    Map.of(
                            "SIDECAR_KEYCLOAK_ISSUER", "http://127.0.0.1:1/realms/x",
                            "SIDECAR_UPSTREAM_URL", "http://127.0.0.1:1",
                            "SIDECAR_LISTEN_PORT", "0",
                            "SIDECAR_MANAGEMENT_PORT", "0",
                            "SIDECAR_CLUSTER_MEMBERS", "127.0.0.1:" + port,
                            "SIDECAR_CLUSTER_BIND_ADDRESS", "127.0.0.1",
                            "SIDECAR_CLUSTER_PORT", port,
                            "SIDECAR_CLUSTER_SECRET", "unit-test-start-failure-secret-0001"));
            long t0 = System.nanoTime();
            ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class,
                    () -> Sidecar.start(config)
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS));
            assertTrue(
                    String.valueOf(failed.getCause().getMessage()).contains("JGroups"),
                    "the cause, not a timeout: " + failed.getCause());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "promptly");
        }
    }
}

package org.servicetokens.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The deployment scripts under deploy/, run by the build so CI proves what the README shows: the Kubernetes
 * overlays render offline, compose.yaml runs under podman-compose, and the rendered plain-container overlay runs
 * as two replicas under podman kube play. Each script asserts its own scenario and exits non-zero on any failure
 * (its log is in target/); the images are built once per run ({@link Shipped#imagesBuilt()}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentScriptsIT {

    @Test
    @Order(1)
    void everyKubernetesOverlayRenders() throws Exception {
        String out = Shipped.run("kustomize", 120, "deploy/kubernetes/render-test.sh");
        assertTrue(out.contains("KUSTOMIZE RESULT:"), out);
    }

    /** Bot 200 through the sidecar, browser 302 to Keycloak, deleted token refused within 5 s, nothing left after down. */
    @Test
    @Order(2)
    void composeFileRunsUnderPodmanCompose() throws Exception {
        assumeTrue(Shipped.podman(), "podman-compose runs with podman only");
        Shipped.imagesBuilt();
        String out = Shipped.run("compose", 600, "deploy/compose/compose-test.sh");
        assertTrue(out.contains("COMPOSE RESULT:"), out);
    }

    /** Two replicas of the rendered plain-container Deployment: a revocation pushed to one is honoured by the other. */
    @Test
    @Order(3)
    void plainContainerOverlayRunsAsTwoReplicasUnderKubePlay() throws Exception {
        assumeTrue(Shipped.podman(), "kube play is podman's");
        Shipped.imagesBuilt();
        String out = Shipped.run("kube-play", 600, "deploy/kubernetes/kube-play-test.sh");
        assertTrue(out.contains("KUBE PLAY RESULT:"), out);
    }
}

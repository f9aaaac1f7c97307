package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.ConfigLoader;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.Http;

/** The AppCDS training run starts, is answered without any Keycloak, and stops. */
class CdsTrainingTest {

    private static final Map<String, String> NO_KEYCLOAK = Map.of(
            "SIDECAR_KEYCLOAK_ISSUER", "http://127.0.0.1:1/realms/training",
            "SIDECAR_UPSTREAM_URL", "http://127.0.0.1:1",
            "SIDECAR_LISTEN_HOST", "127.0.0.1",
            "SIDECAR_LISTEN_PORT", "0",
            "SIDECAR_MANAGEMENT_PORT", "0");

    @Test
    void requestsAreRefusedLocallyAndReadyIsFalseWithoutKeycloak() {
        SidecarConfig config = ConfigLoader.load(null, NO_KEYCLOAK);
        Sidecar sidecar = Http.await(Sidecar.start(config));
        try {
            List<Integer> statuses = Http.await(CdsTraining.exercise(sidecar));
            // no credential, a token nobody signed, a malformed secret, identity: 401; metadata 200; ready 503;
            // metrics.
            assertEquals(List.of(401, 401, 401, 401, 200, 503, 200), statuses);
        } finally {
            Http.await(sidecar.close());
        }
    }

    @Test
    void theWholeRunExitsZero() {
        assertEquals(0, CdsTraining.run(ConfigLoader.load(null, NO_KEYCLOAK)));
    }
}

package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.representations.idm.ComponentRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.TokenApi;

/**
 * Key rotation in Keycloak with no sidecar restart: a new active key is picked up on the first token that names
 * it; tokens signed with a key that Keycloak removed are refused once the sidecar refreshes the realm's keys.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
class KeyRotationThroughSidecarIT extends SidecarITBase {

    @Test
    void newKeysAreAcceptedAndRemovedKeysRefused() throws Exception {
        TokenApi api = tokenApi();
        JsonNode token = api.create("rotation bot", null, "demo-app");
        String clientId = token.get("clientId").asText();
        String secret = token.get("clientSecret").asText();

        try (RecordingUpstream upstream = new RecordingUpstream();
                SidecarProcess sidecar = startSidecar(
                        upstream.url(),
                        Map.of(
                                "SIDECAR_KEYCLOAK_JWKS_REFRESH_INTERVAL",
                                "2s",
                                "SIDECAR_KEYCLOAK_JWKS_MIN_REFETCH_INTERVAL",
                                "1s"))) {
            String oldJwt = mint(clientId, secret);
            assertEquals(200, bearer(sidecar, oldJwt), "signed with the original key");

            // A new RSA key with a higher priority becomes the active signing key.
            String newKeyId = addRsaKey("rotated-rsa", 500);
            String newJwt = mint(clientId, secret);
            assertNotEquals(kid(oldJwt), kid(newJwt), "Keycloak signs with the new key now");
            // An unknown kid triggers a refetch at most once per min-refetch interval (1 s here), counted from the
            // start-up fetch a moment ago: the new key is in within that interval.
            assertEquals(
                    200,
                    statusWithin(Duration.ofSeconds(5), 200, () -> bearer(sidecar, newJwt)),
                    "new key accepted without a restart");
            assertEquals(200, bearer(sidecar, oldJwt), "the old key is still published, so its tokens still pass");

            // Remove every other RSA key: tokens signed with them must stop working.
            for (ComponentRepresentation key :
                    realm.admin().components().query(realm.getId(), "org.keycloak.keys.KeyProvider")) {
                if (!key.getId().equals(newKeyId) && key.getProviderId().startsWith("rsa")) {
                    realm.admin().components().component(key.getId()).remove();
                }
            }
            assertEquals(
                    401,
                    statusWithin(Duration.ofSeconds(15), 401, () -> bearer(sidecar, oldJwt)),
                    "a token signed with a removed key is refused after the next key refresh");
            assertEquals(200, bearer(sidecar, newJwt), "the current key still works");
        }
    }

    private static int statusWithin(Duration timeout, int wanted, java.util.function.IntSupplier call)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        int status = call.getAsInt();
        while (status != wanted && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            status = call.getAsInt();
        }
        return status;
    }

    private String addRsaKey(String name, int priority) {
        ComponentRepresentation key = new ComponentRepresentation();
        key.setName(name);
        key.setParentId(realm.getId());
        key.setProviderId("rsa-generated");
        key.setProviderType("org.keycloak.keys.KeyProvider");
        MultivaluedHashMap<String, String> config = new MultivaluedHashMap<>();
        config.put("priority", List.of(Integer.toString(priority)));
        config.put("algorithm", List.of("RS256"));
        key.setConfig(config);
        try (Response created = realm.admin().components().add(key)) {
            assertEquals(201, created.getStatus());
            String location = created.getLocation().getPath();
            return location.substring(location.lastIndexOf('/') + 1);
        }
    }

    private String mint(String clientId, String secret) {
        return Http.clientCredentials(realm.getBaseUrl(), clientId, secret)
                .json()
                .get("access_token")
                .asText();
    }

    private static int bearer(SidecarProcess sidecar, String jwt) {
        return Http.send(HttpRequest.newBuilder(URI.create(sidecar.url() + "/"))
                        .header("Accept", "application/json")
                        .header("Authorization", "Bearer " + jwt)
                        .GET())
                .status();
    }

    private static String kid(String jwt) throws Exception {
        return Http.JSON
                .readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]))
                .get("kid")
                .asText();
    }
}

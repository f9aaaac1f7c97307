package org.servicetokens.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dasniko.testcontainers.keycloak.KeycloakContainer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * The images the project ships, started through Testcontainers: dasniko's {@link KeycloakContainer} runs the
 * Keycloak-with-provider image ({@code start --optimized}, the demo realm imported), {@link GenericContainer}s run
 * the sidecar image and the sample app behind it on one network, a bot gets through the sidecar to the app with its
 * service token, and a deletion in Keycloak is pushed into the sidecar container, which then refuses the token.
 *
 * <p>Plain Testcontainers API (no JUnit extension: the parent's JUnit is 6). On podman the build starts its Docker
 * API and the images are built on local base stand-ins; with Docker (-Ddocker) the same test runs on the official
 * base images.
 */
class KeycloakSidecarContainersIT {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Network network;
    private static KeycloakContainer keycloak;
    private static GenericContainer<?> sampleApp;
    private static GenericContainer<?> sidecar;
    private static Admin admin;
    private static String app;

    @BeforeAll
    static void start() throws Exception {
        Shipped.imagesBuilt();
        long begin = System.nanoTime();
        network = Network.newNetwork();
        // One issuer for both sides: Keycloak's frontend URL is its name on the network; the test reaches it on a
        // published port, which serves the same realm.
        String realm;
        try (InputStream in = KeycloakSidecarContainersIT.class.getResourceAsStream("/demo-realm.json")) {
            realm = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace(
                            "\"http://localhost:8000/.sidecar/backchannel-logout\"",
                            "\"http://sidecar:8000/.sidecar/backchannel-logout\"");
        }
        keycloak = new KeycloakContainer(Shipped.KEYCLOAK_IMAGE)
                .withOptimizedFlag()
                .withNetwork(network)
                .withNetworkAliases("keycloak")
                .withEnv("KC_HOSTNAME", "http://keycloak:8080")
                .withEnv("KC_HTTP_ENABLED", "true")
                .withCopyToContainer(Transferable.of(realm), "/opt/keycloak/data/import/demo-realm.json")
                .withStartupTimeout(Duration.ofMinutes(4));
        sampleApp = new GenericContainer<>(Shipped.SAMPLE_APP_IMAGE)
                .withNetwork(network)
                .withNetworkAliases("sample-app")
                .waitingFor(Wait.forLogMessage(".*Sample app listening.*", 1));
        sidecar = new GenericContainer<>(Shipped.SIDECAR_IMAGE)
                .withNetwork(network)
                .withNetworkAliases("sidecar")
                .withEnv("SIDECAR_KEYCLOAK_ISSUER", "http://keycloak:8080/realms/demo")
                .withEnv("SIDECAR_UPSTREAM_URL", "http://sample-app:8081")
                .withEnv("SIDECAR_APP_CLIENT_ID", "demo-app")
                .withEnv("SIDECAR_APP_CLIENT_SECRET", "demo-app-secret")
                .withExposedPorts(8000, 9091)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("sidecar")))
                .waitingFor(Wait.forHttp("/ready").forPort(9091).withStartupTimeout(Duration.ofMinutes(2)));
        keycloak.start();
        sampleApp.start();
        sidecar.start();
        admin = new Admin(keycloak.getAuthServerUrl());
        app = "http://" + sidecar.getHost() + ":" + sidecar.getMappedPort(8000);
        System.out.printf(
                "Testcontainers: Keycloak and the sidecar ready after %.1f s%n", (System.nanoTime() - begin) / 1e9);
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.stop();
        }
        if (sampleApp != null) {
            sampleApp.stop();
        }
        if (keycloak != null) {
            keycloak.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void botGetsThroughUntilItsTokenIsDeleted() throws Exception {
        Admin.Token token = admin.createToken("testcontainers bot");
        HttpResponse<String> answer = get(token, "/api/things");
        assertEquals(200, answer.statusCode(), "bot with its service token");
        // The sample app echoes the identity headers the sidecar added.
        assertTrue(answer.body().contains("\"x-auth-client-id\":\"" + token.clientId() + "\""), answer.body());
        assertTrue(answer.body().contains("\"x-auth-type\":\"service\""), answer.body());
        assertEquals(401, get(null, "/api/things").statusCode(), "no credentials");

        admin.deleteToken(token);
        long start = System.nanoTime();
        int status;
        do {
            status = get(token, "/api/things").statusCode();
        } while (status == 200 && System.nanoTime() - start < 5_000_000_000L && pause());
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("Testcontainers: deleted token refused by the sidecar container after " + ms + " ms");
        assertEquals(401, status, "deleted token, within 5 s");
        assertTrue(ms < 5000);
    }

    private static HttpResponse<String> get(Admin.Token token, String path) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(app + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("KC-Access-Client-Id", token.clientId()).header("KC-Access-Client-Secret", token.secret());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }
}

package org.servicetokens.production.harness;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar as users run it ({@code java -jar sidecar.jar}) in front of a tiny application that answers 200,
 * talking to Keycloak only through the TLS load balancer: {@code keycloak.issuer} is the load balancer's realm URL and
 * {@code keycloak.tls.ca-file} the CA to trust.
 */
public final class Sidecar implements AutoCloseable {

    private static final HttpClient PLAIN = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public final int port = Ports.free();
    public final int managementPort = Ports.free();
    public final Path log;
    private final Process process;
    private final HttpServer app;

    public Sidecar(Cluster cluster, Path caFile) throws IOException {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", Ports.free()), 0);
        app.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            exchange.close();
        });
        app.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        app.start();
        log = Files.createTempFile(Path.of("target"), "sidecar-", ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                Cluster.sidecarJar().toString()));
        builder.environment().keySet().removeIf(name -> name.startsWith("SIDECAR_"));
        builder.environment()
                .putAll(Map.of(
                        "SIDECAR_LISTEN_HOST",
                        "127.0.0.1",
                        "SIDECAR_LISTEN_PORT",
                        Integer.toString(port),
                        "SIDECAR_LISTEN_INSTANCES",
                        "1",
                        "SIDECAR_MANAGEMENT_HOST",
                        "127.0.0.1",
                        "SIDECAR_MANAGEMENT_PORT",
                        Integer.toString(managementPort),
                        "SIDECAR_KEYCLOAK_ISSUER",
                        cluster.lb.url() + "/realms/" + Cluster.REALM,
                        "SIDECAR_KEYCLOAK_TLS_CA_FILE",
                        caFile.toString(),
                        "SIDECAR_UPSTREAM_URL",
                        "http://127.0.0.1:" + app.getAddress().getPort(),
                        "SIDECAR_APP_CLIENT_ID",
                        "demo-app",
                        "SIDECAR_APP_CLIENT_SECRET",
                        "demo-app-secret"));
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        process = builder.start();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** True once {@code /ready} says 200 within {@code timeout}: discovery and the realm keys were fetched. */
    public boolean awaitReady(Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the sidecar exited: " + Files.readString(log));
            }
            try {
                if (PLAIN.send(
                                        HttpRequest.newBuilder(
                                                        URI.create("http://127.0.0.1:" + managementPort + "/ready"))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            KeycloakNode.sleep(250);
        }
        return false;
    }

    /** A bot's call through the sidecar with a service token's client ID and secret; the status. */
    public int call(String clientId, String secret) throws IOException {
        try {
            return PLAIN.send(
                            HttpRequest.newBuilder(URI.create(url() + "/api/work"))
                                    .header("KC-Access-Client-Id", clientId)
                                    .header("KC-Access-Client-Secret", secret)
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        app.stop(0);
    }
}

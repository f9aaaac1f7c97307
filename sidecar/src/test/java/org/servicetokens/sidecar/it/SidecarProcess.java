package org.servicetokens.sidecar.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sidecar as users run it: {@code java -jar target/sidecar.jar}, configured through the environment, in its
 * own process. Its stdout (the access log) goes to a file the tests can read.
 */
public final class SidecarProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "sidecar.jar").toAbsolutePath();
    // HTTP/1.1 and bounded: a management call must never hang a test (the JDK client's h2c upgrade did, once).
    private static final HttpClient MANAGEMENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;

    private SidecarProcess(Process process, int port, int managementPort, Path log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** Starts a sidecar and waits until {@code /ready} says yes. {@code env} adds or overrides settings. */
    public static SidecarProcess start(String issuer, String upstreamUrl, Map<String, String> env) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the integration tests with `mvn verify`");
        }
        int port = freePort();
        int managementPort = freePort();
        Path log = Files.createTempFile(Path.of("target"), "sidecar-", ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                JAR.toString()));
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("SIDECAR_"));
        Map<String, String> settings = new HashMap<>();
        settings.put("SIDECAR_LISTEN_HOST", "127.0.0.1");
        settings.put("SIDECAR_LISTEN_PORT", Integer.toString(port));
        settings.put("SIDECAR_LISTEN_INSTANCES", "2");
        settings.put("SIDECAR_MANAGEMENT_HOST", "127.0.0.1");
        settings.put("SIDECAR_MANAGEMENT_PORT", Integer.toString(managementPort));
        settings.put("SIDECAR_KEYCLOAK_ISSUER", issuer);
        settings.put("SIDECAR_UPSTREAM_URL", upstreamUrl);
        settings.put("SIDECAR_APP_CLIENT_ID", "demo-app");
        settings.put("SIDECAR_APP_CLIENT_SECRET", "demo-app-secret");
        settings.put("SIDECAR_COOKIES_SECURE", "false");
        settings.putAll(env);
        environment.putAll(settings);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        SidecarProcess sidecar = new SidecarProcess(builder.start(), port, managementPort, log);
        sidecar.awaitReady(Duration.ofSeconds(60));
        return sidecar;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The same sidecar as a browser should address it: by name, so Chromium treats it as a secure context and
     * keeps {@code Secure} / {@code __Host-} cookies on plain http, and shares the site with Keycloak on localhost.
     */
    public String browserUrl() {
        return "http://localhost:" + port;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The sum of a Prometheus metric's samples whose labels contain every given fragment, e.g. {@code outcome="success"}. */
    public double metric(String name, String... labelFragments) throws IOException, InterruptedException {
        String text = MANAGEMENT
                .send(
                        HttpRequest.newBuilder(URI.create(managementUrl() + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean matches = true;
            for (String fragment : labelFragments) {
                matches &= line.contains(fragment);
            }
            if (matches) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private void awaitReady(Duration timeout) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the sidecar exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> ready = client.send(
                        HttpRequest.newBuilder(URI.create(managementUrl() + "/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        close();
        throw new IllegalStateException("the sidecar was not ready within " + timeout + ":\n" + log());
    }

    /** SIGKILL: no shutdown hook, no graceful leave; the cluster must notice by itself. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The body of {@code /ready} (JSON), whatever its status. */
    public String readiness() throws IOException, InterruptedException {
        return MANAGEMENT
                .send(
                        HttpRequest.newBuilder(URI.create(managementUrl() + "/ready"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** A free port {@code p} whose {@code p + 100} (the cluster's failure-detection port) is free too. */
    public static int freeClusterPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            if (port + 100 > 65535) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket(port + 100, 50, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free cluster port pair");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

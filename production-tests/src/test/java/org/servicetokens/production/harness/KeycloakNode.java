package org.servicetokens.production.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Keycloak node from the distribution in production mode: its own copy of the built distribution ({@code home}),
 * {@code kc.sh start --optimized} on PostgreSQL with TLS, its own HTTPS, management and JGroups ports, discovery
 * through the shared database (jdbc-ping). Its output goes to {@code home/node.log}.
 */
public final class KeycloakNode {

    public final String name;
    public final Path home;
    public final int httpsPort = Ports.free();
    public final int managementPort = Ports.free();
    public final int jgroupsPort = Ports.free();
    private final List<String> options;
    private final Map<String, String> env;
    private final HttpClient client;
    private Process process;

    KeycloakNode(String name, Path home, List<String> options, Map<String, String> env, HttpClient client) {
        this.name = name;
        this.home = home;
        this.options = options;
        this.env = env;
        this.client = client;
    }

    /** Unzips the distribution into {@code home}, adds {@code providerJar} and runs {@code kc.sh build} once. */
    static void buildDistribution(Path zip, Path providerJar, Path home) throws IOException {
        Path unzipTo = home.getParent().resolve("unzip-" + home.getFileName());
        Proc.run(null, Map.of(), 300, "unzip", "-q", "-o", zip.toString(), "-d", unzipTo.toString());
        try (var entries = Files.list(unzipTo)) {
            Files.move(entries.findFirst().orElseThrow(), home);
        }
        Files.delete(unzipTo);
        installProvider(home, providerJar);
    }

    /** Puts {@code providerJar} as the only provider and runs {@code kc.sh build} (the database and features are build-time). */
    public static void installProvider(Path home, Path providerJar) throws IOException {
        try (var old = Files.list(home.resolve("providers"))) {
            for (Path jar : old.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.delete(jar);
            }
        }
        Files.copy(providerJar, home.resolve("providers").resolve("keycloak-service-token-spi.jar"));
        Proc.run(
                home,
                Map.of(),
                600,
                home.resolve("bin/kc.sh").toString(),
                "build",
                "--db=postgres",
                "--health-enabled=true",
                "--metrics-enabled=true");
    }

    public String url() {
        return "https://localhost:" + httpsPort;
    }

    public synchronized void start() throws IOException {
        for (int port : new int[] {httpsPort, managementPort, jgroupsPort}) {
            // A leftover process on our ports would answer the readiness check in the new node's place.
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                throw new IllegalStateException(name + ": port " + port + " is still in use");
            } catch (java.net.ConnectException free) {
                // as it should be
            }
        }
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start", "--optimized"));
        command.addAll(options);
        command.addAll(List.of(
                "--https-port=" + httpsPort,
                "--http-management-port=" + managementPort,
                "--cache-embedded-network-bind-port=" + jgroupsPort,
                "--spi-cache-embedded--default--node-name=" + name));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().putAll(env);
        process = builder.start();
        awaitReady(Duration.ofSeconds(240));
    }

    public Path log() {
        return home.resolve("node.log");
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** The JVM's process: {@code kc.sh} runs Java as its child (it forwards SIGTERM to it, never SIGKILL). */
    private java.util.Optional<ProcessHandle> jvm() {
        return process.children().findFirst();
    }

    private void awaitReady(Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        URI ready = URI.create("https://localhost:" + managementPort + "/health/ready");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log());
            }
            try {
                if (client.send(
                                        HttpRequest.newBuilder(ready)
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            sleep(500);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log());
    }

    /** SIGTERM and wait: Keycloak leaves the cluster and finishes what it is doing. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        java.util.Optional<ProcessHandle> jvm = jvm();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                jvm.ifPresent(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            jvm.ifPresent(h -> h.onExit().join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code kill -9}: no shutdown, no goodbye to the cluster. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        jvm().ifPresent(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            awaitGone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitGone() {
        for (int i = 0; i < 100 && process.descendants().anyMatch(ProcessHandle::isAlive); i++) {
            sleep(100);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

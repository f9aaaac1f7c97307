package org.servicetokens.sidecar.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Debian's nginx or Caddy in front of an app, started from the config this repository ships
 * ({@code deploy/proxies/…}) with only the marked lines replaced (ports), in its own directory under {@code target/}.
 * {@link #close} stops the process it started, and nothing else.
 */
final class FrontProxy implements AutoCloseable {

    private static final Path SHIPPED =
            Path.of("..", "deploy", "proxies").toAbsolutePath().normalize();

    final String name;
    final int port;
    private final Process process;
    private final Path dir;

    private FrontProxy(String name, int port, Process process, Path dir) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    static FrontProxy nginx(int sidecarPort, int appPort) throws IOException {
        int port = freePort();
        Path dir = Files.createTempDirectory(Path.of("target"), "nginx-").toAbsolutePath();
        Files.createDirectories(dir.resolve("tmp"));
        String site = Files.readString(SHIPPED.resolve("nginx/sidecar-forward-auth.conf"))
                .replace("server 127.0.0.1:8000;", "server 127.0.0.1:" + sidecarPort + ";")
                .replace("server 127.0.0.1:8081;", "server 127.0.0.1:" + appPort + ";")
                .replace("listen 80;", "listen 127.0.0.1:" + port + ";");
        Files.writeString(dir.resolve("site.conf"), site);
        Files.writeString(dir.resolve("nginx.conf"), """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    include %1$s/site.conf;
                }
                """.formatted(dir));
        ProcessBuilder b = new ProcessBuilder(
                        "nginx",
                        "-p",
                        dir.toString(),
                        "-c",
                        dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile());
        return started("nginx", port, b, dir);
    }

    static FrontProxy caddy(int sidecarPort, int appPort) throws IOException {
        int port = freePort();
        Path dir = Files.createTempDirectory(Path.of("target"), "caddy-").toAbsolutePath();
        String site = Files.readString(SHIPPED.resolve("caddy/Caddyfile"))
                .replace("reverse_proxy 127.0.0.1:8000", "reverse_proxy 127.0.0.1:" + sidecarPort)
                .replace("forward_auth 127.0.0.1:8000", "forward_auth 127.0.0.1:" + sidecarPort)
                .replace("reverse_proxy 127.0.0.1:8081", "reverse_proxy 127.0.0.1:" + appPort)
                .replace("app.example.com {", "http://:" + port + " {");
        Files.writeString(dir.resolve("Caddyfile"), "{\n\tadmin off\n\tauto_https off\n}\n\n" + site);
        ProcessBuilder b = new ProcessBuilder(
                        "caddy",
                        "run",
                        "--adapter",
                        "caddyfile",
                        "--config",
                        dir.resolve("Caddyfile").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile());
        Map<String, String> env = b.environment();
        env.put("HOME", dir.toString());
        env.put("XDG_DATA_HOME", dir.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        return started("caddy", port, b, dir);
    }

    private static FrontProxy started(String name, int port, ProcessBuilder builder, Path dir) throws IOException {
        FrontProxy proxy = new FrontProxy(name, port, builder.start(), dir);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!proxy.process.isAlive()) {
                throw new IllegalStateException(name + " exited:\n" + proxy.log());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return proxy;
            } catch (IOException notYet) {
                sleep();
            }
        }
        proxy.close();
        throw new IllegalStateException(name + " did not listen within 30 s:\n" + proxy.log());
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** As a browser addresses it: by name, so Chromium keeps its cookies and shares the site with Keycloak. */
    String browserUrl() {
        return "http://localhost:" + port;
    }

    String log() {
        StringBuilder out = new StringBuilder();
        for (String f : List.of("stdout.log", "error.log")) {
            try {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    out.append(Files.readString(p));
                }
            } catch (IOException e) {
                out.append(e);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return name;
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

    private static void sleep() {
        try {
            Thread.sleep(100);
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

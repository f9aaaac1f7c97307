package org.servicetokens.production.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * nginx (Debian) as the TLS load balancer in front of the Keycloak nodes: TLS from the harness's CA, TLS to the nodes
 * verified against the same CA, X-Forwarded-* headers (Keycloak runs with {@code --proxy-headers=xforwarded}).
 * A node can be drained (marked {@code down} and reloaded) before it is stopped, the way a rolling restart goes.
 * A request nginx could not send to a node (connection refused) goes to the other one; a request a node dropped
 * after receiving it is not retried when it is not idempotent (a POST): that is the one request a dying node costs.
 */
public final class LoadBalancer implements AutoCloseable {

    public final int port;
    private final Path dir;
    private final Pki pki;
    private final List<KeycloakNode> nodes;
    private Process process;

    LoadBalancer(Path dir, Pki pki, List<KeycloakNode> nodes, int port) {
        this.port = port;
        this.dir = dir;
        this.pki = pki;
        this.nodes = nodes;
    }

    public String url() {
        return "https://localhost:" + port;
    }

    void start() throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        write(Set.of());
        process = new ProcessBuilder(
                        "nginx",
                        "-p",
                        dir.toString(),
                        "-c",
                        dir.resolve("nginx.conf").toString(),
                        "-g",
                        "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("stdout.log").toFile()))
                .start();
        for (int i = 0; i < 100; i++) {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("error.log")));
                }
                KeycloakNode.sleep(100);
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port);
    }

    /** Sends no new request to {@code drained} (nginx reload; requests under way finish). */
    public synchronized void drain(Set<KeycloakNode> drained) throws IOException {
        write(drained);
        Proc.run(
                dir,
                Map.of(),
                30,
                "nginx",
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-s",
                "reload");
        // The old worker finishes its requests; new connections go to the new worker at once.
        KeycloakNode.sleep(1000);
    }

    public String config() throws IOException {
        return Files.readString(dir.resolve("nginx.conf"));
    }

    private void write(Set<KeycloakNode> drained) throws IOException {
        StringBuilder servers = new StringBuilder();
        for (KeycloakNode node : nodes) {
            servers.append("        server 127.0.0.1:")
                    .append(node.httpsPort)
                    .append(" max_fails=1 fail_timeout=3s")
                    .append(drained.contains(node) ? " down" : "")
                    .append(";\n");
        }
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        Files.writeString(
                dir.resolve("nginx.conf"),
                user + """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    upstream keycloak {
                %2$s        keepalive 32;
                    }
                    server {
                        listen 127.0.0.1:%3$d ssl;
                        server_name localhost;
                        ssl_certificate %4$s;
                        ssl_certificate_key %5$s;
                        location / {
                            proxy_pass https://keycloak;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host $host:$server_port;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_set_header X-Forwarded-Proto https;
                            proxy_set_header X-Forwarded-Host $host;
                            proxy_set_header X-Forwarded-Port $server_port;
                            proxy_ssl_trusted_certificate %6$s;
                            proxy_ssl_verify on;
                            proxy_ssl_name localhost;
                            proxy_ssl_server_name on;
                            proxy_ssl_session_reuse on;
                            proxy_connect_timeout 2s;
                            proxy_next_upstream error timeout http_502 http_503 http_504;
                            proxy_buffer_size 16k;
                            proxy_buffers 8 16k;
                        }
                    }
                }
                """.formatted(dir, servers, port, pki.serverCert, pki.serverKey, pki.caCert));
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
        }
    }
}

package org.servicetokens.production.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An application's back-channel logout endpoint that only counts: every POST is answered 200 and its logout token's
 * {@code service_token} claim recorded (the signature is the sidecar's business, not this counter's).
 */
public final class PushCounter implements AutoCloseable {

    /** One push as received: which token, why, and when (epoch ms). */
    public record Push(String tokenClientId, String reason, long receivedAt) {}

    private final HttpServer server;
    private final List<Push> pushes = new ArrayList<>();

    public PushCounter() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", Ports.free()), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String pair : body.split("&")) {
                if (pair.startsWith("logout_token=")) {
                    String jwt = URLDecoder.decode(pair.substring(13), StandardCharsets.UTF_8);
                    JsonNode claim = Https.JSON
                            .readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]))
                            .get("service_token");
                    synchronized (pushes) {
                        pushes.add(new Push(
                                claim.get("client_id").asText(),
                                claim.get("reason").asText(),
                                System.currentTimeMillis()));
                    }
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/backchannel-logout";
    }

    /** The pushes received so far about the token with this client ID, with this reason (null: any). */
    public List<Push> about(String tokenClientId, String reason) {
        synchronized (pushes) {
            return pushes.stream()
                    .filter(p -> p.tokenClientId().equals(tokenClientId)
                            && (reason == null || p.reason().equals(reason)))
                    .toList();
        }
    }

    public List<Push> all() {
        synchronized (pushes) {
            return new ArrayList<>(pushes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

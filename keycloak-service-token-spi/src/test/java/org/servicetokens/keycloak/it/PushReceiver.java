package org.servicetokens.keycloak.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application's back-channel logout endpoint for the tests: records each logout token it receives (with the
 * time it arrived), can refuse the next few as a sidecar does ({@code 400 {"error":"invalid_request","reason":…}}),
 * and can go away and come back on the same port.
 */
final class PushReceiver implements AutoCloseable {

    record Received(String logoutToken, long atNanos) {}

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger refuseNext = new AtomicInteger();
    private final AtomicInteger posts = new AtomicInteger();
    private volatile String refusalReason = "wrong_issuer";
    private final int port;
    private HttpServer server;

    PushReceiver() throws IOException {
        server = start(0);
        port = server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/backchannel-logout";
    }

    /** The next logout token accepted, within the timeout, or null. */
    Received next(long timeoutMillis) throws InterruptedException {
        return received.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Answers the next {@code count} posts with a refusal carrying {@code reason}. */
    void refuseNext(int count, String reason) {
        refusalReason = reason;
        refuseNext.set(count);
    }

    /** Every POST that reached the endpoint, accepted or not. */
    int posts() {
        return posts.get();
    }

    void stop() {
        server.stop(0);
    }

    void restart() throws IOException {
        server = start(port);
    }

    private HttpServer start(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
        s.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "push-receiver");
            thread.setDaemon(true);
            return thread;
        }));
        s.createContext("/backchannel-logout", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posts.incrementAndGet();
            if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                byte[] body = ("{\"error\":\"invalid_request\",\"reason\":\"" + refusalReason + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(400, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
                return;
            }
            for (String pair : form.split("&")) {
                if (pair.startsWith("logout_token=")) {
                    received.add(new Received(
                            URLDecoder.decode(pair.substring("logout_token=".length()), StandardCharsets.UTF_8),
                            System.nanoTime()));
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        s.start();
        return s;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

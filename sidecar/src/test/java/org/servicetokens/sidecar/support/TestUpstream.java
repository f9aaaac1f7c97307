package org.servicetokens.sidecar.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The app behind the sidecar in tests: records every request (and WebSocket upgrade) it receives so tests
 * can assert what got through. {@code /slow} never answers, {@code /upload} counts streamed bytes,
 * {@code /download?bytes=N} streams N bytes with back-pressure; anything else echoes the headers as JSON.
 */
public final class TestUpstream {

    public record Seen(String method, String uri, MultiMap headers, boolean webSocket) {}

    private final Vertx vertx;
    private HttpServer server;
    public final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    public final AtomicInteger hits = new AtomicInteger();

    public TestUpstream(Vertx vertx) {
        this.vertx = vertx;
    }

    public Future<TestUpstream> start() {
        return vertx.createHttpServer()
                .webSocketHandler(ws -> {
                    hits.incrementAndGet();
                    seen.add(new Seen(
                            "GET", ws.uri(), MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()), true));
                    ws.textMessageHandler(msg -> ws.writeTextMessage("echo:" + msg));
                })
                .requestHandler(this::handle)
                .listen(0, "127.0.0.1")
                .map(s -> {
                    server = s;
                    return this;
                });
    }

    public int port() {
        return server.actualPort();
    }

    public void reset() {
        seen.clear();
        hits.set(0);
    }

    public Seen last() {
        Seen last = null;
        for (Seen s : seen) {
            last = s;
        }
        return last;
    }

    public Future<Void> close() {
        return server.close();
    }

    private void handle(HttpServerRequest req) {
        hits.incrementAndGet();
        seen.add(new Seen(
                req.method().name(),
                req.uri(),
                MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                false));
        String path = req.path();
        if (path.equals("/slow")) {
            return;
        }
        if (path.equals("/upload")) {
            long[] count = {0};
            req.handler(b -> count[0] += b.length());
            req.endHandler(v -> req.response()
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("bytes", count[0]).encode()));
            return;
        }
        if (path.equals("/download")) {
            long total = Long.parseLong(req.getParam("bytes"));
            HttpServerResponse resp = req.response().putHeader("Content-Length", Long.toString(total));
            Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
            long[] sent = {0};
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (sent[0] < total && !resp.writeQueueFull()) {
                    int n = (int) Math.min(chunk.length(), total - sent[0]);
                    resp.write(n == chunk.length() ? chunk : chunk.slice(0, n));
                    sent[0] += n;
                }
                if (sent[0] >= total) {
                    resp.end();
                } else {
                    resp.drainHandler(v -> pump[0].run());
                }
            };
            pump[0].run();
            return;
        }
        req.body().onSuccess(body -> {
            JsonObject headers = new JsonObject();
            req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
            req.response()
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject()
                            .put("uri", req.uri())
                            .put("headers", headers)
                            .put("bodyLength", body.length())
                            .encode());
        });
    }
}

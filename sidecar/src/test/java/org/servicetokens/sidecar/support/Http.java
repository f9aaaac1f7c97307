package org.servicetokens.sidecar.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Blocking helpers for tests: a Vert.x client for ordinary requests, a raw socket for malformed ones. */
public final class Http {

    public record Response(int status, MultiMap headers, String body) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpClient client;
    private final int port;

    public Http(Vertx vertx, int port) {
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
        this.port = port;
    }

    public static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Response get(String uri, String... headers) {
        return send(HttpMethod.GET, uri, null, headers);
    }

    public Future<Response> sendAsync(HttpMethod method, String uri, Buffer body, String... headers) {
        return client.request(new RequestOptions()
                        .setMethod(method)
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI(uri))
                .compose(req -> {
                    for (int i = 0; i + 1 < headers.length; i += 2) {
                        req.headers().add(headers[i], headers[i + 1]);
                    }
                    return (body == null ? req.send() : req.send(body))
                            .compose(resp -> resp.body()
                                    .map(b -> new Response(resp.statusCode(), resp.headers(), b.toString())));
                });
    }

    public Response send(HttpMethod method, String uri, Buffer body, String... headers) {
        return await(sendAsync(method, uri, body, headers));
    }

    /** Sends bytes as they are and reads the status line (and what follows) from a fresh connection. */
    public Response raw(String request) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                    if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (java.net.SocketException e) {
                // the server may reset after answering a malformed request
            }
            String text = got.toString(StandardCharsets.ISO_8859_1);
            if (text.isEmpty()) {
                return new Response(-1, MultiMap.caseInsensitiveMultiMap(), "");
            }
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            return new Response(status, MultiMap.caseInsensitiveMultiMap(), split < 0 ? "" : text.substring(split + 4));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean complete(String text) {
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            return false;
        }
        String head = text.substring(0, split).toLowerCase();
        int cl = head.indexOf("content-length:");
        if (cl < 0) {
            return !head.contains("chunked") || text.endsWith("0\r\n\r\n");
        }
        int end = head.indexOf("\r\n", cl);
        int len = Integer.parseInt(
                head.substring(cl + 15, end < 0 ? head.length() : end).trim());
        return text.length() - split - 4 >= len;
    }

    public Future<Void> close() {
        return client.close();
    }
}

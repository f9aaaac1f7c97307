package org.servicetokens.sidecar.upstream;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URI;
import java.util.concurrent.TimeoutException;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * The way to the app: one vertx-http-proxy {@link HttpProxy} and its client per verticle. Bodies stream both
 * ways (the proxy pipes them); WebSocket upgrades are proxied too. The caller strips the client's spoofable
 * headers before {@link #forward}. The only interceptor, flagged for WebSockets (unflagged
 * interceptors are skipped on upgrades), sets the normalised URI and turns upstream failures into JSON: 504
 * when the upstream stays silent past {@code upstream.timeout}, 502 otherwise. X-Forwarded-* and the identity
 * headers are added by the origin provider straight onto the upstream request, which HTTP and WebSocket
 * forwarding share: the proxy's own header copy would turn the identity's pre-encoded values back into
 * Strings and have them re-encoded character by character on every request.
 */
public final class UpstreamProxy {

    private static final String FORWARD = "sidecar.forward";
    private static final CharSequence PROXY_CONNECTION = HttpHeaders.createOptimized("Proxy-Connection");

    private final HttpClient client;
    private final HttpProxy proxy;
    private final String host;
    private final int port;
    private final boolean ssl;
    private final String basePath;
    private final SidecarMetrics metrics;
    private final long timeoutMs;
    private final long connectTimeoutMs;
    private final IdentityHeaders identityHeaders;
    /**
     * The request being handed to the proxy: {@link HttpProxy#handle} calls the interceptor synchronously on this
     * event loop, and there is no other way to pass it per-request data. The interceptor moves it into the
     * proxy context, where the origin provider finds it.
     */
    private Forward handingOver;

    private record Forward(String path, Identity identity) {}

    public UpstreamProxy(
            Vertx vertx, SidecarConfig.Upstream config, SidecarMetrics metrics, IdentityHeaders identityHeaders) {
        this.identityHeaders = identityHeaders;
        URI url = URI.create(config.url);
        this.ssl = "https".equals(url.getScheme());
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80;
        String p = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        this.metrics = metrics;
        this.timeoutMs = config.timeout.toMillis();
        this.connectTimeoutMs = config.connectTimeout.toMillis();
        // vertx-http-proxy's default pool is 5 connections with an unbounded wait queue.
        this.client = vertx.createHttpClient(
                org.servicetokens.sidecar.tls.TlsOptions.upstream(
                        new HttpClientOptions()
                                .setKeepAlive(true)
                                .setConnectTimeout((int) connectTimeoutMs)
                                .setDecompressionSupported(false),
                        config.tls),
                new PoolOptions().setHttp1MaxSize(config.poolSize).setMaxWaitQueueSize(config.maxWaitQueue));
        this.proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(config.websocket), client);
        proxy.origin(this::origin);
        proxy.addInterceptor(new Interceptor(), true);
    }

    /**
     * Hands the (paused) request to the proxy, which resumes it by piping its body upstream.
     *
     * @param path the normalised path the policy judged, sent upstream in place of the raw one
     * @param identity the verified caller, or null on a public path
     */
    public void forward(HttpServerRequest request, String path, Identity identity) {
        handingOver = new Forward(path, identity);
        try {
            proxy.handle(request);
        } finally {
            handingOver = null;
        }
    }

    public Future<Void> close() {
        return client.close();
    }

    private Future<HttpClientRequest> origin(ProxyContext context) {
        Forward forward = context.get(FORWARD, Forward.class);
        if (forward == null) {
            // Only forward() hands requests to the proxy; anything else is a bug, and fails closed.
            return Future.failedFuture(new IllegalStateException("request reached the upstream without the pipeline"));
        }
        HttpServerRequest original = context.request().proxiedRequest();
        return context.client()
                .request(new RequestOptions()
                        .setHost(host)
                        .setPort(port)
                        .setSsl(ssl)
                        .setConnectTimeout(connectTimeoutMs)
                        .setIdleTimeout(timeoutMs))
                .map(request -> {
                    MultiMap headers = request.headers();
                    if (contentMayBeIgnored(original)) {
                        headers.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                    }
                    identityHeaders.forwarded(original, headers);
                    if (forward.identity() != null) {
                        identityHeaders.apply(forward.identity(), headers);
                    }
                    return request;
                });
    }

    /**
     * Content on a method whose content servers commonly ignore (GET, HEAD, DELETE, OPTIONS…: RFC 9110 §9.3.1 gives
     * it no meaning and warns it invites smuggling): an app that ignores it would read those bytes as the next
     * request on the pooled connection, one the sidecar never judged, answered as if it were someone else's. Such a
     * request goes upstream on a connection that is closed after it. POST, PUT and PATCH are framed by every server.
     */
    static boolean contentMayBeIgnored(HttpServerRequest request) {
        HttpMethod method = request.method();
        if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
            return false;
        }
        MultiMap headers = request.headers();
        String length = headers.get(HttpHeaders.CONTENT_LENGTH);
        return length != null ? !length.equals("0") : headers.contains(HttpHeaders.TRANSFER_ENCODING);
    }

    private final class Interceptor implements ProxyInterceptor {

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
            Forward forward = handingOver;
            handingOver = null;
            if (forward != null) {
                context.set(FORWARD, forward);
                context.request()
                        .setURI(upstreamUri(forward.path(), context.request().proxiedRequest()));
            }
            long start = System.nanoTime();
            return context.sendRequest()
                    .map(response -> {
                        metrics.upstreamLatency(System.nanoTime() - start);
                        return response;
                    })
                    .recover(err -> {
                        metrics.upstreamLatency(System.nanoTime() - start);
                        boolean timeout = err instanceof TimeoutException || err.getCause() instanceof TimeoutException;
                        int status = timeout ? 504 : 502;
                        String error = timeout ? "upstream_timeout" : "upstream_unavailable";
                        // vertx-http-proxy 5.0.7: answer with a succeeded future carrying the response, never fail
                        // after release().
                        ProxyResponse response = context.request()
                                .release()
                                .response()
                                .setStatusCode(status)
                                .putHeader("Content-Type", "application/json")
                                .putHeader("Cache-Control", "no-store")
                                .setBody(Body.body(
                                        Buffer.buffer(new JsonObject()
                                                .put("error", error)
                                                .put("reason", error)
                                                .encode()),
                                        io.vertx.httpproxy.MediaType.APPLICATION_JSON));
                        return Future.succeededFuture(response);
                    });
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext context) {
            ProxyResponse response = context.response();
            if (response.getStatusCode() != 101) {
                dropHopByHop(response.headers());
            }
            return context.sendResponse();
        }
    }

    /**
     * The upstream's hop-by-hop fields describe its connection to the sidecar, not the client's (RFC 9110 §7.6.1):
     * the proxy would pass on an app's {@code Connection: close} although the client's connection stays open. A 101
     * keeps them: they are the upgrade.
     */
    static void dropHopByHop(MultiMap headers) {
        String connection = headers.get(HttpHeaders.CONNECTION);
        if (connection != null) {
            for (String option : connection.split(",")) {
                headers.remove(option.trim());
            }
            headers.remove(HttpHeaders.CONNECTION);
        }
        headers.remove(HttpHeaders.KEEP_ALIVE);
        headers.remove(PROXY_CONNECTION);
        headers.remove(HttpHeaders.UPGRADE);
    }

    /** The path policy judged (normalised), under the upstream's base path, with the query unchanged. */
    private String upstreamUri(String path, HttpServerRequest request) {
        String query = request.query();
        if (query == null && basePath.isEmpty()) {
            return path;
        }
        return basePath + path + (query == null ? "" : "?" + query);
    }
}

package org.servicetokens.sidecar.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
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
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.policy.PathNormalizer;

import java.net.URI;
import java.util.concurrent.TimeoutException;

/**
 * The way to the app: one vertx-http-proxy {@link HttpProxy} and its client per verticle. Bodies stream both
 * ways (the proxy pipes them); WebSocket upgrades are proxied too. Headers are rewritten by the caller
 * before {@link #forward} (PITFALLS 6: interceptors without the WebSocket flag are skipped on upgrades), so
 * the only interceptor here — flagged for WebSockets — sets the normalised URI and turns upstream failures
 * into JSON: 504 when the upstream stays silent past {@code upstream.timeout}, 502 otherwise.
 */
public final class UpstreamProxy {

  private final HttpClient client;
  private final HttpProxy proxy;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final SidecarMetrics metrics;
  private final long timeoutMs;
  private final long connectTimeoutMs;

  public UpstreamProxy(Vertx vertx, SidecarConfig.Upstream config, SidecarMetrics metrics) {
    URI url = URI.create(config.url);
    this.ssl = "https".equals(url.getScheme());
    this.host = url.getHost();
    this.port = url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80;
    String p = url.getRawPath() == null ? "" : url.getRawPath();
    this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    this.metrics = metrics;
    this.timeoutMs = config.timeout.toMillis();
    this.connectTimeoutMs = config.connectTimeout.toMillis();
    // PITFALLS 9: the default pool is 5 connections with an unbounded wait queue.
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout((int) connectTimeoutMs)
            .setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(config.poolSize).setMaxWaitQueueSize(config.maxWaitQueue));
    this.proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(config.websocket), client);
    proxy.origin(this::origin);
    proxy.addInterceptor(new Interceptor(), true);
  }

  /** Hands the (paused) request to the proxy, which resumes it by piping its body upstream. */
  public void forward(HttpServerRequest request) {
    proxy.handle(request);
  }

  public Future<Void> close() {
    return client.close();
  }

  private Future<io.vertx.core.http.HttpClientRequest> origin(ProxyContext context) {
    return context.client().request(new RequestOptions()
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setConnectTimeout(connectTimeoutMs)
        .setIdleTimeout(timeoutMs));
  }

  private final class Interceptor implements ProxyInterceptor {

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      HttpServerRequest original = context.request().proxiedRequest();
      context.request().setURI(upstreamUri(original));
      long start = System.nanoTime();
      return context.sendRequest().map(response -> {
        metrics.upstreamLatency(System.nanoTime() - start);
        return response;
      }).recover(err -> {
        metrics.upstreamLatency(System.nanoTime() - start);
        boolean timeout = err instanceof TimeoutException || err.getCause() instanceof TimeoutException;
        int status = timeout ? 504 : 502;
        String error = timeout ? "upstream_timeout" : "upstream_unavailable";
        // PITFALLS 8: answer with a succeeded future carrying the response, never fail after release().
        ProxyResponse response = context.request().release().response()
            .setStatusCode(status)
            .putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store")
            .setBody(Body.body(Buffer.buffer(new JsonObject().put("error", error).put("reason", error).encode()),
                io.vertx.httpproxy.MediaType.APPLICATION_JSON));
        return Future.succeededFuture(response);
      });
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
      return context.sendResponse();
    }
  }

  /** The path policy judged (normalised), under the upstream's base path, with the query unchanged. */
  private String upstreamUri(HttpServerRequest request) {
    String path;
    try {
      path = PathNormalizer.normalize(request.path());
    } catch (PathNormalizer.AmbiguousPathException e) {
      path = "/"; // unreachable: the pipeline refused such paths before forwarding
    }
    String query = request.query();
    return basePath + path + (query == null ? "" : "?" + query);
  }
}

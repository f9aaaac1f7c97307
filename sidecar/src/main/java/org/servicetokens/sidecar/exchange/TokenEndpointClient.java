package org.servicetokens.sidecar.exchange;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.servicetokens.sidecar.config.SidecarConfig;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The exchanges' own connections to Keycloak's token endpoint: a pool of {@code exchange.pool-size} with a wait
 * queue of {@code exchange.pool-max-wait-queue}, apart from the client that fetches JWKS and discovery and refreshes
 * browser sessions, so neither can starve the other. TCP connect is bounded by {@code keycloak.connect-timeout},
 * the answer by {@code keycloak.timeout} (no bytes for that long).
 *
 * <p>Failures are sorted by whose they are, because only Keycloak's may open the circuit breaker:
 * {@link Failure.Kind#KEYCLOAK} (refused or timed-out connect, reset, no answer), {@link Failure.Kind#LOCAL_BUSY}
 * (the pool's wait queue is full, or no pooled connection came free in time: our own queueing), and
 * {@link Failure.Kind#ABORTED} (the reachability probe found Keycloak gone and {@link #abortAll} cut the call).
 */
final class TokenEndpointClient {

  /** Why a call gave no HTTP answer. */
  static final class Failure extends RuntimeException {
    enum Kind { KEYCLOAK, LOCAL_BUSY, ABORTED }

    final Kind kind;

    Failure(Kind kind, Throwable cause) {
      super(kind.name() + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"), null, false, false);
      this.kind = kind;
    }
  }

  /** The token endpoint's answer: any status, the body as it came. */
  record Reply(int status, Buffer body) {
  }

  private final HttpClient client;
  private final long acquireTimeoutMs;
  private final long responseTimeoutMs;
  private final Set<HttpClientRequest> inflight = ConcurrentHashMap.newKeySet();

  TokenEndpointClient(Vertx vertx, SidecarConfig config) {
    int connectMs = (int) config.keycloak.connectTimeout.toMillis();
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(connectMs)
            .setKeepAlive(true)
            .setName("sidecar-exchange"),
        new PoolOptions()
            .setHttp1MaxSize(config.exchange.poolSize)
            .setMaxWaitQueueSize(config.exchange.poolMaxWaitQueue));
    // Longer than a TCP connect may take, so a timeout while getting a connection means waiting in our own pool.
    this.acquireTimeoutMs = 2L * connectMs + 500;
    this.responseTimeoutMs = config.keycloak.timeout.toMillis();
  }

  /**
   * POSTs {@code grant_type=client_credentials} with {@code client_secret_post} (RFC 6749 §2.3.1, §4.4): the ID and
   * secret are form-url-encoded into the body. Fails with {@link Failure} when there is no HTTP answer.
   */
  Future<Reply> clientCredentials(String tokenEndpoint, String clientId, String secret) {
    Buffer body = Buffer.buffer("grant_type=client_credentials&client_id=" + form(clientId) + "&client_secret=" + form(secret));
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(tokenEndpoint)
        .setConnectTimeout(acquireTimeoutMs)
        .setIdleTimeout(responseTimeoutMs)
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Accept", "application/json")
        .putHeader("User-Agent", "servicetokens-sidecar");
    return client.request(options)
        .recover(err -> Future.failedFuture(new Failure(
            err instanceof ConnectionPoolTooBusyException || err instanceof TimeoutException
                ? Failure.Kind.LOCAL_BUSY : Failure.Kind.KEYCLOAK, err)))
        .compose(request -> {
          inflight.add(request);
          return request.send(body)
              .compose(response -> response.body().map(b -> new Reply(response.statusCode(), b)))
              .recover(err -> Future.failedFuture(err instanceof Failure f ? f : new Failure(Failure.Kind.KEYCLOAK, err)))
              .eventually(() -> {
                inflight.remove(request);
                return Future.succeededFuture();
              });
        });
  }

  /** Cuts every call in flight (Keycloak was found unreachable): their callers get {@link Failure.Kind#ABORTED}. */
  void abortAll() {
    for (HttpClientRequest request : inflight) {
      request.reset(0, new Failure(Failure.Kind.ABORTED, null));
    }
  }

  int inflight() {
    return inflight.size();
  }

  Future<Void> close() {
    return client.close();
  }

  /** {@code application/x-www-form-urlencoded} as RFC 6749 Appendix B asks (UTF-8, space as {@code +}). */
  static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}

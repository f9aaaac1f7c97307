package org.servicetokens.sidecar.exchange;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.infinispan.Cache;
import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.jwt.OidcProvider;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.util.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Service-token ID + secret → Keycloak access token, via {@code client_credentials} at the realm's token
 * endpoint. Shared by all verticles so that N concurrent first requests for one credential make one call
 * (single flight), whichever event loop they arrive on.
 *
 * <p>Cache key: client ID + SHA-256(secret); the secret itself is never stored or logged. Tokens are cached
 * until {@code exchange.refresh-before-expiry} before their exp; refusals are remembered for
 * {@code exchange.negative-ttl}; Keycloak being unreachable (timeout, connection error, 5xx, open breaker)
 * is reported as 503 with a Retry-After and is not remembered.
 */
public final class TokenExchanger {

  private static final Logger LOG = Logger.getLogger(TokenExchanger.class.getName());

  private final OidcProvider provider;
  private final SidecarConfig config;
  private final SidecarMetrics metrics;
  private final Cache<String, String> tokens;
  private final Cache<String, String> failures;
  private final CircuitBreaker breaker;
  private final WebClient client;
  private final Map<String, Future<String>> inflight = new ConcurrentHashMap<>();

  public TokenExchanger(Vertx vertx, OidcProvider provider, SidecarCaches caches, SidecarConfig config,
                        SidecarMetrics metrics) {
    this.provider = provider;
    this.config = config;
    this.metrics = metrics;
    this.tokens = caches.exchanged();
    this.failures = caches.exchangeFailures();
    this.breaker = new CircuitBreaker(config.keycloak.breakerFailureThreshold, config.keycloak.breakerOpenDuration);
    this.client = provider.client();
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  public static String cacheKey(String clientId, String secret) {
    return clientId + '|' + Hashing.sha256Hex(secret);
  }

  /** An access token for this credential, from the cache or Keycloak; fails with {@link ExchangeFailure}. */
  public Future<String> exchange(String clientId, String secret) {
    String key = cacheKey(clientId, secret);
    String cached = tokens.get(key);
    if (cached != null) {
      metrics.exchangeCache("hit");
      return Future.succeededFuture(cached);
    }
    String refused = failures.get(key);
    if (refused != null) {
      metrics.exchangeCache("negative");
      return Future.failedFuture(new ExchangeFailure(401, refused, 0));
    }
    metrics.exchangeCache("miss");
    Future<String> existing = inflight.get(key);
    if (existing != null) {
      return existing;
    }
    Promise<String> promise = Promise.promise();
    existing = inflight.putIfAbsent(key, promise.future());
    if (existing != null) {
      return existing;
    }
    call(clientId, secret, key).onComplete(ar -> {
      inflight.remove(key);
      promise.handle(ar);
    });
    return promise.future();
  }

  /** Forgets the cached token of one credential (it was found revoked), so the next use asks Keycloak. */
  public void evict(String clientId, String secret) {
    tokens.remove(cacheKey(clientId, secret));
  }

  /** Drops every cached token issued to {@code subject} (a back-channel logout for it arrived). */
  public int dropSubject(String subject) {
    int[] dropped = {0};
    tokens.entrySet().removeIf(e -> {
      boolean match = subject.equals(subjectOf(e.getValue()));
      if (match) {
        dropped[0]++;
      }
      return match;
    });
    return dropped[0];
  }

  private Future<String> call(String clientId, String secret, String key) {
    long retryAfter = config.exchange.retryAfter.toSeconds();
    if (!breaker.tryAcquire()) {
      metrics.exchangeCall("breaker_open");
      return Future.failedFuture(new ExchangeFailure(503, "keycloak_unavailable", breaker.retryAfterSeconds(retryAfter)));
    }
    return provider.metadata().recover(err -> Future.failedFuture(new ExchangeFailure(503, "keycloak_unavailable", 0)))
        .compose(meta -> client.postAbs(meta.tokenEndpoint())
            .timeout(config.keycloak.timeout.toMillis())
            .putHeader("Accept", "application/json")
            .sendForm(MultiMap.caseInsensitiveMultiMap()
                .add("grant_type", "client_credentials")
                .add("client_id", clientId)
                .add("client_secret", secret)))
        .transform(ar -> {
          if (ar.failed() || ar.result().statusCode() >= 500) {
            breaker.onFailure();
            metrics.exchangeCall("unavailable");
            LOG.warning("token endpoint unavailable: "
                + (ar.failed() ? ar.cause().getClass().getSimpleName() : "HTTP " + ar.result().statusCode()));
            return Future.failedFuture(new ExchangeFailure(503, "keycloak_unavailable", breaker.retryAfterSeconds(retryAfter)));
          }
          breaker.onSuccess();
          return Future.succeededFuture(handle(ar.result(), key));
        });
  }

  private String handle(HttpResponse<Buffer> response, String key) {
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (response.statusCode() != 200 || body == null || !(body.getValue("access_token") instanceof String token)) {
      String error = body != null && body.getValue("error") instanceof String e ? e : "exchange_refused";
      String reason = error.matches("[a-z_]{1,40}") ? error : "exchange_refused";
      metrics.exchangeCall("rejected");
      failures.put(key, reason, config.exchange.negativeTtl.toMillis(), TimeUnit.MILLISECONDS);
      throw new ExchangeFailure(401, reason, 0);
    }
    metrics.exchangeCall("success");
    long lifespanMs = lifespanMillis(token, body);
    if (lifespanMs > 0) {
      tokens.put(key, token, lifespanMs, TimeUnit.MILLISECONDS);
    }
    return token;
  }

  /** Until refresh-before-expiry before exp (from the token itself, else from expires_in). */
  private long lifespanMillis(String token, JsonObject body) {
    long nowMs = System.currentTimeMillis();
    long expMs = -1;
    JsonObject claims = claimsOf(token);
    if (claims != null && claims.getValue("exp") instanceof Number exp) {
      expMs = exp.longValue() * 1000;
    } else if (body.getValue("expires_in") instanceof Number in) {
      expMs = nowMs + in.longValue() * 1000;
    }
    return expMs < 0 ? 0 : expMs - nowMs - config.exchange.refreshBeforeExpiry.toMillis();
  }

  private static String subjectOf(String token) {
    JsonObject c = claimsOf(token);
    return c == null ? null : c.getString("sub");
  }

  /** Unverified claims of a token we obtained ourselves; used only for lifetimes and bookkeeping. */
  private static JsonObject claimsOf(String token) {
    try {
      String[] parts = token.split("\\.");
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  public void close() {
    // the client belongs to the OidcProvider
  }
}

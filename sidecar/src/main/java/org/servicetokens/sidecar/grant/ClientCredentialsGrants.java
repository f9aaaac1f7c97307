package org.servicetokens.sidecar.grant;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.keycloak.TokenEndpoint;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.util.Hashing;

/**
 * Service-token ID + secret → Keycloak access token, via the OAuth 2.0 client credentials grant (RFC 6749 §4.4) at
 * the realm's token endpoint. (The config keys and metrics say "exchange" for this grant, as they always have; it
 * is not RFC 8693 token exchange.) Shared by all verticles so that N concurrent first requests for one credential make one call
 * (single flight), whichever event loop they arrive on.
 *
 * <p>Cache key: client ID + SHA-256(secret); the secret itself is never stored or logged. Tokens are cached
 * until {@code exchange.refresh-before-expiry} before their exp; refusals are remembered for
 * {@code exchange.negative-ttl}; Keycloak being unreachable (timeout, connection error, 5xx, open breaker)
 * is reported as 503 with a Retry-After and is not remembered.
 *
 * <p>Clustered, the single flight spans the replicas too ({@link ClusterSingleFlight}): the replica that places the
 * in-flight marker calls Keycloak, the others wait for its token to arrive in the replicated cache.
 *
 * <p>What anonymous clients can make it do is bounded: the credential's shape is checked before it gets here;
 * calls for credentials not seen succeed are rate-limited ({@link GrantAdmission}, 429) before anything is
 * written or sent; calls go through the {@link TokenEndpoint}, whose pool, circuit breaker and reachability probe
 * answer 503 at once while Keycloak is known unreachable (before admission: waiting out an outage costs no
 * rate-limit tokens). Failures are {@link AuthenticationFailure}s: 401 with Keycloak's error code, 429, or 503.
 * Cache writes are asynchronous (clustered, a write waits for every replica; an event loop must not).
 */
public final class ClientCredentialsGrants {

    private static final Logger LOG = Logger.getLogger(ClientCredentialsGrants.class.getName());

    private final Vertx vertx;
    private final TokenEndpoint endpoint;
    private final SidecarConfig config;
    private final SidecarMetrics metrics;
    private final Cache<String, String> tokens;
    private final Cache<String, String> failures;
    private final GrantAdmission admission;
    private final Map<String, Future<String>> inflight = new ConcurrentHashMap<>();
    private final ClusterSingleFlight clusterFlight;

    public ClientCredentialsGrants(
            Vertx vertx, TokenEndpoint endpoint, SidecarCaches caches, SidecarConfig config, SidecarMetrics metrics) {
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.config = config;
        this.metrics = metrics;
        this.tokens = caches.grantedTokens();
        this.failures = caches.grantRefusals();
        this.admission = new GrantAdmission(vertx, config.exchange);
        this.clusterFlight = caches.clustered()
                ? new ClusterSingleFlight(vertx, caches, config.keycloak.timeout.plusSeconds(1))
                : null;
    }

    public GrantAdmission admission() {
        return admission;
    }

    public static String cacheKey(String clientId, String secret) {
        return clientId + '|' + Hashing.sha256Hex(secret);
    }

    /** An access token for this credential, from the cache or Keycloak; fails with {@link AuthenticationFailure}. */
    public Future<String> accessToken(String clientId, String secret) {
        return accessToken(clientId, secret, null);
    }

    /**
     * As {@link #accessToken(String, String)}, for a client at {@code clientAddress} (null when unknown): a grant made
     * now carries it as {@code X-Forwarded-For}. A cached token is shared whatever the address (each request is then
     * checked against the token's networks by the pipeline), but a refusal is remembered for that address only:
     * Keycloak may have refused the address (the token's allowed networks), and that must not refuse the same
     * credentials from an allowed address.
     */
    public Future<String> accessToken(String clientId, String secret, String clientAddress) {
        String key = cacheKey(clientId, secret);
        String failureKey = clientAddress == null ? key : key + '|' + clientAddress;
        String cached = tokens.get(key);
        if (cached != null) {
            metrics.grantCache("hit");
            return Future.succeededFuture(cached);
        }
        String refused = failures.get(failureKey);
        if (refused != null) {
            metrics.grantCache("negative");
            return Future.failedFuture(AuthenticationFailure.rejected(refused));
        }
        metrics.grantCache("miss");
        // Known to fail anyway: answered before admission, so waiting out an outage costs no rate-limit tokens.
        AuthenticationFailure fast = endpoint.refusingNow();
        if (fast != null) {
            return Future.failedFuture(fast);
        }
        Future<String> existing = inflight.get(key);
        if (existing != null) {
            return existing;
        }
        Promise<String> promise = Promise.promise();
        existing = inflight.putIfAbsent(key, promise.future());
        if (existing != null) {
            return existing;
        }
        // Admission first: a refused junk credential writes no in-flight marker and no negative entry anywhere.
        Future<Void> admitted = admission
                .admit(clientId, key)
                .onFailure(err ->
                        metrics.grantRefused(err instanceof AuthenticationFailure f ? f.reason() : "rate_limited"));
        Future<String> result = admitted.compose(v -> clusterFlight == null
                ? call(clientId, secret, key, failureKey, clientAddress)
                : clusterFlight.run(
                        key,
                        () -> call(clientId, secret, key, failureKey, clientAddress),
                        () -> lookup(key, failureKey)));
        result.onComplete(ar -> {
            inflight.remove(key);
            promise.handle(ar);
        });
        return promise.future();
    }

    /** What another replica may have left in the shared caches: a token, a refusal, or nothing yet (null). */
    private Future<String> lookup(String key, String failureKey) {
        String cached = tokens.get(key);
        if (cached != null) {
            metrics.grantCache("peer");
            return Future.succeededFuture(cached);
        }
        String refused = failures.get(failureKey);
        return refused == null ? null : Future.failedFuture(AuthenticationFailure.rejected(refused));
    }

    /**
     * Forgets the cached token of one credential (it was found revoked), so the next use asks Keycloak. Completes
     * once the entry is gone everywhere (clustered: on every replica), never blocking the calling event loop.
     */
    public Future<Void> evict(String clientId, String secret) {
        Context context = vertx.getOrCreateContext();
        return Future.fromCompletionStage(tokens.removeAsync(cacheKey(clientId, secret)), context)
                .mapEmpty();
    }

    /**
     * Drops the cached tokens issued to {@code subject} whose (unverified, self-obtained) claims {@code which}
     * accepts: a back-channel logout for the subject arrived. Scans this replica's copy only (replicated: it holds
     * every entry) and removes by key, so no predicate has to travel. Blocking when clustered: call it off the event
     * loop.
     */
    public int dropSubject(String subject, Predicate<JsonObject> which) {
        List<String> keys = new ArrayList<>();
        tokens.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).forEach((k, v) -> {
            JsonObject claims = claimsOf(v);
            if (claims != null && subject.equals(claims.getValue("sub")) && which.test(claims)) {
                keys.add(k);
            }
        });
        keys.forEach(tokens::remove);
        return keys.size();
    }

    /**
     * Forgets the remembered refusals of one service token (keys start with its client ID), so the next use asks
     * Keycloak again: the token was enabled, extended or otherwise changed. Blocking when clustered.
     */
    public int dropFailures(String clientId) {
        String prefix = clientId + '|';
        List<String> keys = new ArrayList<>();
        failures.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).keySet().forEach(k -> {
            if (k.startsWith(prefix)) {
                keys.add(k);
            }
        });
        keys.forEach(failures::remove);
        return keys.size();
    }

    private Future<String> call(String clientId, String secret, String key, String failureKey, String clientAddress) {
        return endpoint.clientCredentials(clientId, secret, clientAddress)
                .compose(reply -> handle(reply, key, failureKey));
    }

    /**
     * Completes once the outcome is in the cache (async: clustered, a write waits for the other replicas, which an
     * event loop must not), so a replica waiting in {@link ClusterSingleFlight} finds it when the marker goes.
     */
    private Future<String> handle(TokenEndpoint.Reply response, String key, String failureKey) {
        JsonObject body = TokenEndpoint.json(response.body());
        Context context = vertx.getOrCreateContext();
        if (response.status() != 200 || body == null || !(body.getValue("access_token") instanceof String token)) {
            String reason = TokenEndpoint.errorCode(body, "exchange_refused");
            metrics.grantCall("rejected");
            AuthenticationFailure refused = AuthenticationFailure.rejected(reason);
            return Future.fromCompletionStage(
                            failures.putAsync(
                                    failureKey, reason, config.exchange.negativeTtl.toMillis(), TimeUnit.MILLISECONDS),
                            context)
                    .transform(ar -> Future.failedFuture(refused));
        }
        metrics.grantCall("success");
        admission.succeeded(key);
        long lifespanMs = lifespanMillis(token, body);
        if (lifespanMs <= 0) {
            return Future.succeededFuture(token);
        }
        return Future.fromCompletionStage(tokens.putAsync(key, token, lifespanMs, TimeUnit.MILLISECONDS), context)
                .transform(ar -> {
                    if (ar.failed()) {
                        LOG.warning("could not cache an exchanged token: "
                                + ar.cause().getClass().getSimpleName());
                    }
                    return Future.succeededFuture(token);
                });
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

    /** Unverified claims of a token we obtained ourselves; used only for lifetimes and bookkeeping. */
    private static JsonObject claimsOf(String token) {
        try {
            String[] parts = token.split("\\.");
            return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }
}

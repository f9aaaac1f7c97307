package org.servicetokens.sidecar.keycloak;

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
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * The sidecar's one client of the realm's token endpoint (RFC 6749 §3.2), for all three grants it makes: a service
 * token's {@code client_credentials} (§4.4), a browser login's {@code authorization_code} with its PKCE verifier
 * (§4.1.3, RFC 7636 §4.5) and a browser session's {@code refresh_token} (§6). Client authentication is
 * {@code client_secret_post} (§2.3.1): form-url-encoded into the body.
 *
 * <p>Every call gets the same handling: its own connection pool of {@code exchange.pool-size} with a wait queue of
 * {@code exchange.pool-max-wait-queue} (apart from the JWKS/discovery client and the probe, so neither can starve
 * the other), TCP connect bounded by {@code keycloak.connect-timeout}, the answer by {@code keycloak.timeout}, the
 * {@link CircuitBreaker} and the {@link KeycloakProbe}'s fail-fast. Failures are sorted by whose they are, because
 * only Keycloak's may open the breaker: Keycloak's (refused or timed-out connect, reset, no answer, a 5xx), ours (the
 * pool's wait queue is full, or no pooled connection came free in time) and cut ones (the probe found Keycloak gone
 * and {@link #abortAll} cut the call). Each ends as an {@link AuthenticationFailure} 503 with a Retry-After.
 */
public final class TokenEndpoint {

    private static final Logger LOG = Logger.getLogger(TokenEndpoint.class.getName());
    /** Keycloak's error codes pass into our answers only in this shape. */
    private static final String ERROR_CODE = "[a-z_]{1,40}";

    /** The token endpoint's answer to a client_credentials grant: any status below 500, the body as it came. */
    public record Reply(int status, Buffer body) {}

    /** A granted code or refresh: {@code refreshToken}/{@code idToken} may be null; lifetimes in seconds (0: none). */
    public record Grant(
            String accessToken, String refreshToken, String idToken, long expiresIn, long refreshExpiresIn) {
        @Override
        public String toString() {
            return "Grant[expiresIn=" + expiresIn + ", tokens=***]";
        }
    }

    /** Why a call gave no HTTP answer. */
    private static final class NoAnswer extends RuntimeException {
        enum Kind {
            KEYCLOAK,
            LOCAL_BUSY,
            ABORTED
        }

        final Kind kind;

        NoAnswer(Kind kind, Throwable cause) {
            super(
                    kind.name() + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"),
                    null,
                    false,
                    false);
            this.kind = kind;
        }
    }

    private final OidcProvider provider;
    private final SidecarMetrics metrics;
    private final HttpClient client;
    private final CircuitBreaker breaker;
    private final long acquireTimeoutMs;
    private final long responseTimeoutMs;
    private final long retryAfterSeconds;
    private final String appClientId;
    private final String appClientSecret;
    private final Set<HttpClientRequest> inflight = ConcurrentHashMap.newKeySet();
    private volatile KeycloakProbe probe;

    public TokenEndpoint(Vertx vertx, OidcProvider provider, SidecarConfig config, SidecarMetrics metrics) {
        this.provider = provider;
        this.metrics = metrics;
        int connectMs = (int) config.keycloak.connectTimeout.toMillis();
        this.client = vertx.createHttpClient(
                org.servicetokens.sidecar.tls.TlsOptions.keycloak(
                        new HttpClientOptions()
                                .setConnectTimeout(connectMs)
                                .setKeepAlive(true)
                                .setName("sidecar-exchange"),
                        config.keycloak.tls),
                new PoolOptions()
                        .setHttp1MaxSize(config.exchange.poolSize)
                        .setMaxWaitQueueSize(config.exchange.poolMaxWaitQueue));
        // Longer than a TCP connect may take, so a timeout while getting a connection means waiting in our own pool.
        this.acquireTimeoutMs = 2L * connectMs + 500;
        this.responseTimeoutMs = config.keycloak.timeout.toMillis();
        this.retryAfterSeconds = config.exchange.retryAfter.toSeconds();
        this.breaker = new CircuitBreaker(config.keycloak.breakerFailureThreshold, config.keycloak.breakerOpenDuration);
        this.appClientId = config.app.clientId;
        this.appClientSecret = config.app.clientSecret;
    }

    /** The breaker every call goes through (shown on {@code /ready} and in {@code sidecar_keycloak_breaker_open}). */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** From now on calls fail fast while {@code probe} finds Keycloak unreachable; a failed probe cuts calls. */
    public void useProbe(KeycloakProbe probe) {
        this.probe = probe;
        probe.onUnreachable(this::abortAll);
    }

    /** Calls to the token endpoint in flight now. */
    public int callsInFlight() {
        return inflight.size();
    }

    /** Closes the connection pool; calls in flight fail. */
    public Future<Void> close() {
        return client.close();
    }

    /**
     * A 503 failure while the probe knows Keycloak is unreachable or the breaker is open (counted in
     * {@code sidecar_exchange_refused_total}); else null. Lets a caller refuse before spending anything else.
     */
    public AuthenticationFailure refusingNow() {
        return refusingNow(true);
    }

    /**
     * {@code grant_type=client_credentials} for a service token's ID and secret (RFC 6749 §4.4). Completes with any
     * answer below 500 (the caller reads the token or Keycloak's refusal); fails with {@link AuthenticationFailure}
     * 503 when Keycloak cannot be asked. Counted in the {@code sidecar_exchange_*} metrics.
     */
    public Future<Reply> clientCredentials(String clientId, String secret) {
        return clientCredentials(clientId, secret, null);
    }

    /**
     * The client credentials grant made on behalf of the client at {@code forwardedFor} (an address, or null): sent as
     * {@code X-Forwarded-For}, so a Keycloak started with {@code --proxy-headers} and this sidecar among its
     * {@code --proxy-trusted-addresses} judges the token's allowed networks by the bot's address, not the sidecar's.
     */
    public Future<Reply> clientCredentials(String clientId, String secret, String forwardedFor) {
        return post(
                "grant_type=client_credentials&client_id=" + form(clientId) + "&client_secret=" + form(secret),
                true,
                forwardedFor);
    }

    /** Redeems a login's authorization code with its PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5) as the app. */
    public Future<Grant> authorizationCode(String code, String redirectUri, String verifier) {
        return grant("grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(redirectUri)
                + "&code_verifier=" + form(verifier));
    }

    /** Refreshes a browser session's tokens (RFC 6749 §6) as the app. */
    public Future<Grant> refresh(String refreshToken) {
        return grant("grant_type=refresh_token&refresh_token=" + form(refreshToken));
    }

    /**
     * A grant as the app client ({@code app.client-secret} when set, a public client otherwise). Fails with
     * {@link AuthenticationFailure}: 503 {@code keycloak_unavailable} (Retry-After 5) when Keycloak could not be
     * asked, else 401 with Keycloak's error code ({@code invalid_grant}…) or {@code token_refused}.
     */
    private Future<Grant> grant(String form) {
        String body = form + "&client_id=" + form(appClientId)
                + (appClientSecret.isEmpty() ? "" : "&client_secret=" + form(appClientSecret));
        return post(body, false).transform(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof AuthenticationFailure f && f.unavailable()) {
                    return Future.failedFuture(AuthenticationFailure.unavailable("keycloak_unavailable", 5));
                }
                return Future.failedFuture(ar.cause());
            }
            JsonObject answer = json(ar.result().body());
            if (ar.result().status() != 200
                    || answer == null
                    || !(answer.getValue("access_token") instanceof String access)) {
                return Future.failedFuture(AuthenticationFailure.rejected(errorCode(answer, "token_refused")));
            }
            return Future.succeededFuture(new Grant(
                    access,
                    answer.getValue("refresh_token") instanceof String r ? r : null,
                    answer.getValue("id_token") instanceof String i ? i : null,
                    answer.getValue("expires_in") instanceof Number n ? n.longValue() : 0,
                    answer.getValue("refresh_expires_in") instanceof Number n ? n.longValue() : 0));
        });
    }

    /** The body as a JSON object, or null when it is empty or not one. */
    public static JsonObject json(Buffer body) {
        try {
            return body.length() == 0 ? null : body.toJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Keycloak's error code from a refusal's body when it has the expected shape, else {@code fallback}. */
    public static String errorCode(JsonObject body, String fallback) {
        String error = body != null && body.getValue("error") instanceof String e ? e : fallback;
        return error.matches(ERROR_CODE) ? error : fallback;
    }

    /**
     * @param counted whether the outcome goes into the {@code sidecar_exchange_*} metrics (client_credentials only:
     *                browser sessions count their refreshes in {@code sidecar_session_refreshes_total})
     */
    private Future<Reply> post(String form, boolean counted) {
        return post(form, counted, null);
    }

    private Future<Reply> post(String form, boolean counted, String forwardedFor) {
        AuthenticationFailure fast = refusingNow(counted);
        if (fast != null) {
            return Future.failedFuture(fast);
        }
        if (!breaker.tryAcquire()) {
            count(counted, "breaker_open");
            return Future.failedFuture(AuthenticationFailure.unavailable(
                    "keycloak_unavailable", breaker.retryAfterSeconds(retryAfterSeconds)));
        }
        KeycloakProbe p = probe;
        if (p != null) {
            p.suspect();
        }
        return provider.metadata()
                .recover(err -> Future.failedFuture(AuthenticationFailure.unavailable("keycloak_unavailable", 0)))
                .compose(meta -> send(meta.tokenEndpoint(), Buffer.buffer(form), forwardedFor))
                .transform(ar -> {
                    if (ar.failed() && ar.cause() instanceof AuthenticationFailure f) {
                        breaker.release();
                        return Future.failedFuture(f);
                    }
                    if (ar.failed() && ar.cause() instanceof NoAnswer f && f.kind != NoAnswer.Kind.KEYCLOAK) {
                        // Our own queueing, or a call cut because the probe found Keycloak gone: no breaker failure
                        // either way.
                        boolean busy = f.kind == NoAnswer.Kind.LOCAL_BUSY;
                        breaker.release();
                        count(counted, busy ? "pool_busy" : "keycloak_unreachable");
                        KeycloakProbe q = probe;
                        return Future.failedFuture(AuthenticationFailure.unavailable(
                                busy ? "exchange_pool_busy" : "keycloak_unavailable",
                                busy ? 1 : q == null ? retryAfterSeconds : q.retryAfterSeconds()));
                    }
                    if (ar.failed() || ar.result().status() >= 500) {
                        breaker.onFailure();
                        if (counted) {
                            metrics.grantCall("unavailable");
                        }
                        LOG.warning("token endpoint unavailable: "
                                + (ar.failed()
                                        ? ar.cause().getMessage()
                                        : "HTTP " + ar.result().status()));
                        return Future.failedFuture(AuthenticationFailure.unavailable(
                                "keycloak_unavailable", breaker.retryAfterSeconds(retryAfterSeconds)));
                    }
                    breaker.onSuccess();
                    return Future.succeededFuture(ar.result());
                });
    }

    private AuthenticationFailure refusingNow(boolean counted) {
        KeycloakProbe p = probe;
        if (p != null && !p.reachable()) {
            count(counted, "keycloak_unreachable");
            return AuthenticationFailure.unavailable("keycloak_unavailable", p.retryAfterSeconds());
        }
        if (breaker.refusing()) {
            count(counted, "breaker_open");
            return AuthenticationFailure.unavailable(
                    "keycloak_unavailable", breaker.retryAfterSeconds(retryAfterSeconds));
        }
        return null;
    }

    private void count(boolean counted, String refusal) {
        if (counted) {
            metrics.grantRefused(refusal);
        }
    }

    /** POSTs the form; fails with {@link NoAnswer} when there is no HTTP answer. */
    private Future<Reply> send(String tokenEndpoint, Buffer body, String forwardedFor) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(tokenEndpoint)
                .setConnectTimeout(acquireTimeoutMs)
                .setIdleTimeout(responseTimeoutMs)
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .putHeader("Accept", "application/json")
                .putHeader("User-Agent", "servicetokens-sidecar");
        if (forwardedFor != null) {
            options.putHeader("X-Forwarded-For", forwardedFor);
        }
        return client.request(options)
                .recover(err -> Future.failedFuture(new NoAnswer(
                        err instanceof ConnectionPoolTooBusyException || err instanceof TimeoutException
                                ? NoAnswer.Kind.LOCAL_BUSY
                                : NoAnswer.Kind.KEYCLOAK,
                        err)))
                .compose(request -> {
                    inflight.add(request);
                    return request.send(body)
                            .compose(response -> response.body().map(b -> new Reply(response.statusCode(), b)))
                            .recover(err -> Future.failedFuture(
                                    err instanceof NoAnswer f ? f : new NoAnswer(NoAnswer.Kind.KEYCLOAK, err)))
                            .eventually(() -> {
                                inflight.remove(request);
                                return Future.succeededFuture();
                            });
                });
    }

    /** Cuts every call in flight (Keycloak was found unreachable): their callers get a 503. */
    private void abortAll() {
        for (HttpClientRequest request : inflight) {
            request.reset(0, new NoAnswer(NoAnswer.Kind.ABORTED, null));
        }
    }

    /** {@code application/x-www-form-urlencoded} as RFC 6749 Appendix B asks (UTF-8, space as {@code +}). */
    static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package org.servicetokens.sidecar.keycloak;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * The realm as seen from here: its discovery document and its current signing keys. One per process;
 * verifiers (one per verticle) build their own {@code JWTAuth} from {@link #keys()} (JWTAuth cannot fetch a JWKS, and a shared one serialises on its key locks).
 *
 * <p>Keys are fetched at start (retried until Keycloak answers), refreshed periodically, and refetched on
 * an unknown {@code kid} at most once per {@code keycloak.jwks-min-refetch-interval}, so a flood of tokens
 * with invented kids costs Keycloak one request per interval. A fetch that yields no usable key never
 * replaces the current set (a JWTAuth with no keys would accept unsigned tokens).
 */
public final class OidcProvider {

    private static final Logger LOG = Logger.getLogger(OidcProvider.class.getName());
    private static final long START_RETRY_MS = 2000;

    private final Vertx vertx;
    private final SidecarConfig.Keycloak config;
    private final SidecarMetrics metrics;
    private final WebClient client;
    private final String discoveryUrl;

    private volatile OidcMetadata metadata;
    private volatile KeySet keys;
    private volatile long lastFetchNanos;
    private final AtomicReference<Future<KeySet>> inflight = new AtomicReference<>();
    private long timerId = -1;
    private volatile boolean closed;
    /** Runs once when the first key set is in (Keycloak just answered); null until {@link #onFirstKeys} sets it. */
    private volatile Runnable firstKeysListener;

    public OidcProvider(Vertx vertx, SidecarConfig.Keycloak config, SidecarMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        // Discovery and JWKS only; the token endpoint (TokenEndpoint) and the probe have their own
        // pools. A bounded wait queue (Vert.x leaves it unbounded): callers beyond it fail at once.
        this.client = WebClient.create(
                vertx,
                org.servicetokens.sidecar.tls.TlsOptions.keycloak(
                        new WebClientOptions()
                                .setConnectTimeout((int) config.connectTimeout.toMillis())
                                .setUserAgent("servicetokens-sidecar")
                                .setFollowRedirects(false),
                        config.tls),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8).setMaxWaitQueueSize(256));
        this.discoveryUrl = config.discoveryUrl.isEmpty()
                ? config.issuer + "/.well-known/openid-configuration"
                : config.discoveryUrl;
        this.lastFetchNanos = System.nanoTime() - config.jwksMinRefetchInterval.toNanos() - 1;
    }

    /** Starts loading; completes at once. Readiness ({@link #ready()}) turns true when the first key set is in. */
    public Future<Void> start() {
        loadUntilReady();
        timerId = vertx.setPeriodic(config.jwksRefreshInterval.toMillis(), id -> {
            if (metadata != null) {
                fetchKeys("periodic");
            }
        });
        return Future.succeededFuture();
    }

    /**
     * Runs {@code listener} (on an event loop; keep it short) when the first key set has been loaded: Keycloak has just
     * answered discovery and JWKS, so whoever judges its reachability should look again now rather than at its next
     * turn (the sidecar's probe: a replica started beside a starting Keycloak is ready at this moment, and must not
     * refuse grants for up to a probe interval on the strength of a probe made while Keycloak was still starting).
     */
    public void onFirstKeys(Runnable listener) {
        this.firstKeysListener = listener;
        if (ready()) {
            listener.run();
        }
    }

    public void close() {
        closed = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        client.close();
    }

    public boolean ready() {
        return keys != null && metadata != null;
    }

    /** Current keys, or null before the first successful fetch. */
    public KeySet keys() {
        return keys;
    }

    /** Discovery metadata, fetching it now if the start-up fetch has not succeeded yet. */
    public Future<OidcMetadata> metadata() {
        OidcMetadata m = metadata;
        return m != null ? Future.succeededFuture(m) : discover();
    }

    public OidcMetadata metadataNow() {
        return metadata;
    }

    public String issuer() {
        return config.issuer;
    }

    /** Where discovery is fetched from (keycloak.discovery-url, else under the issuer); also the reachability probe's URL. */
    public String discoveryUrl() {
        return discoveryUrl;
    }

    /**
     * Called when a token names a kid we do not know. Refetches unless the last fetch was less than the
     * minimum interval ago; concurrent callers share one fetch. Completes with the (possibly unchanged) keys.
     */
    public Future<KeySet> refetchForUnknownKid() {
        long sinceLast = System.nanoTime() - lastFetchNanos;
        if (sinceLast < config.jwksMinRefetchInterval.toNanos()) {
            metrics.jwksRefresh("rate_limited");
            return Future.succeededFuture(keys);
        }
        if (metadata == null) {
            return discover().compose(m -> fetchKeys("unknown_kid"));
        }
        return fetchKeys("unknown_kid");
    }

    private void loadUntilReady() {
        if (closed) {
            return;
        }
        discover().compose(m -> fetchKeys("start")).onComplete(ar -> {
            if (ar.failed() || keys == null) {
                LOG.warning("realm keys not loaded yet ("
                        + (ar.failed() ? ar.cause().getMessage() : "no keys") + "); retrying in " + START_RETRY_MS
                        + " ms");
                if (!closed) {
                    vertx.setTimer(START_RETRY_MS, id -> loadUntilReady());
                }
            } else {
                LOG.info("realm keys loaded from " + metadata.jwksUri() + ": "
                        + keys.keys().size() + " key(s)");
                Runnable listener = firstKeysListener;
                if (listener != null) {
                    listener.run();
                }
            }
        });
    }

    private Future<OidcMetadata> discover() {
        return getJson(discoveryUrl).map(doc -> {
            OidcMetadata m = OidcMetadata.from(doc, config.issuer);
            metadata = m;
            return m;
        });
    }

    private Future<KeySet> fetchKeys(String why) {
        Promise<KeySet> promise = Promise.promise();
        Future<KeySet> mine = promise.future();
        Future<KeySet> existing = inflight.compareAndExchange(null, mine);
        if (existing != null) {
            return existing;
        }
        lastFetchNanos = System.nanoTime();
        getJson(metadata.jwksUri())
                .map(jwks -> {
                    KeySet current = keys;
                    KeySet next = KeySet.parse(jwks, current == null ? 1 : current.version() + 1);
                    if (current != null && current.keys().equals(next.keys())) {
                        return current;
                    }
                    keys = next;
                    return next;
                })
                .onComplete(ar -> {
                    inflight.set(null);
                    if (ar.succeeded()) {
                        metrics.jwksRefresh("success");
                        promise.complete(ar.result());
                    } else {
                        metrics.jwksRefresh("failure");
                        LOG.log(
                                Level.WARNING,
                                "JWKS refresh (" + why + ") failed, keeping the current keys: "
                                        + ar.cause().getMessage());
                        promise.fail(ar.cause());
                    }
                });
        return mine;
    }

    private Future<JsonObject> getJson(String url) {
        return client.getAbs(url).timeout(config.timeout.toMillis()).send().map((HttpResponse<Buffer> r) -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode());
            }
            return r.bodyAsJsonObject();
        });
    }
}

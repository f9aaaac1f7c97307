package org.servicetokens.sidecar.keycloak;

import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * Asks Keycloak every {@code keycloak.probe-interval} whether it answers (a GET of the realm's discovery document,
 * which a live Keycloak serves from memory in milliseconds, bounded by {@code keycloak.probe-timeout}), over its own
 * small connection pool so a busy token-endpoint or JWKS pool can never make it late. Three uses:
 * <ul>
 *   <li>reachability on {@code /ready} and in {@code sidecar_keycloak_reachable};</li>
 *   <li>failing fast: while Keycloak is known unreachable, new token-endpoint calls get 503 + Retry-After at once, and
 *   when a probe fails, the calls waiting on Keycloak are answered 503 at once ({@link #onUnreachable}), instead of
 *   each waiting out {@code keycloak.timeout};</li>
 *   <li>recovery: when Keycloak answers again while the circuit breaker is open, the breaker closes at once instead
 *   of waiting out its open duration, so grants resume within one probe interval of Keycloak's return.</li>
 * </ul>
 * A token-endpoint call about to go out asks for a probe now ({@link #suspect}; one running is followed by another,
 * and probes start at most every {@value #MIN_GAP_MS} ms), so a Keycloak that hangs between two periodic probes is
 * noticed about one probe timeout after the first call that needs it, and that call is answered then. All
 * probe state lives on one Vert.x context. A failed probe does not open the breaker: only token-endpoint failures
 * do.
 */
public final class KeycloakProbe {

    private static final Logger LOG = Logger.getLogger(KeycloakProbe.class.getName());
    static final long MIN_GAP_MS = 100;

    private final Vertx vertx;
    private final WebClient client;
    private final String url;
    private final Duration interval;
    private final long timeoutMs;
    private final CircuitBreaker breaker;
    private final List<Runnable> unreachableListeners = new CopyOnWriteArrayList<>();
    // Optimistic until the first answer: the start-up JWKS load already waits for Keycloak.
    private volatile boolean reachable = true;
    private final io.vertx.core.Context context;
    // Touched on `context` only.
    private boolean probing;
    private boolean again;
    private boolean scheduled;
    private long lastStartNanos = System.nanoTime() - MIN_GAP_MS * 1_000_000L;
    private long timerId = -1;

    public KeycloakProbe(
            Vertx vertx,
            String url,
            Duration interval,
            Duration timeout,
            Duration connectTimeout,
            CircuitBreaker breaker,
            org.servicetokens.sidecar.tls.ClientTls tls) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = WebClient.create(
                vertx,
                org.servicetokens.sidecar.tls.TlsOptions.keycloak(
                        new WebClientOptions()
                                .setConnectTimeout((int) Math.min(connectTimeout.toMillis(), timeout.toMillis()))
                                .setUserAgent("servicetokens-sidecar-probe")
                                .setFollowRedirects(false),
                        tls),
                new PoolOptions().setHttp1MaxSize(2).setMaxWaitQueueSize(4));
        this.url = url;
        this.interval = interval;
        this.timeoutMs = timeout.toMillis();
        this.breaker = breaker;
    }

    public void start() {
        context.runOnContext(v -> timerId = vertx.setPeriodic(interval.toMillis(), id -> probe()));
    }

    public void close() {
        context.runOnContext(v -> {
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
            }
            client.close();
        });
    }

    public boolean reachable() {
        return reachable;
    }

    /** Runs when a probe finds Keycloak gone (on an event loop; keep it short). */
    public void onUnreachable(Runnable listener) {
        unreachableListeners.add(listener);
    }

    /** Retry-After while Keycloak is unreachable: the next probe may find it back. */
    public long retryAfterSeconds() {
        return Math.max(1, (interval.toMillis() + 999) / 1000);
    }

    /** A call to Keycloak is about to go out: make sure a probe starts now, or right after the one running. */
    public void suspect() {
        context.runOnContext(v -> {
            if (probing) {
                again = true;
                return;
            }
            if (scheduled) {
                return;
            }
            long wait = MIN_GAP_MS - (System.nanoTime() - lastStartNanos) / 1_000_000L;
            if (wait <= 0) {
                probe();
            } else {
                scheduled = true;
                vertx.setTimer(wait, id -> {
                    scheduled = false;
                    probe();
                });
            }
        });
    }

    private void probe() {
        if (probing) {
            return;
        }
        probing = true;
        lastStartNanos = System.nanoTime();
        client.getAbs(url).timeout(timeoutMs).send().onComplete(ar -> {
            probing = false;
            boolean up = ar.succeeded() && ar.result().statusCode() < 500;
            if (up != reachable) {
                LOG.warning(
                        up
                                ? "Keycloak answers again"
                                : "Keycloak does not answer ("
                                        + (ar.failed()
                                                ? ar.cause().getClass().getSimpleName()
                                                : "HTTP " + ar.result().statusCode())
                                        + "); cached and verified tokens keep working, new exchanges get 503");
            }
            boolean returned = up && !reachable;
            reachable = up;
            if (!up) {
                unreachableListeners.forEach(Runnable::run);
            }
            // Only on a return seen by the probe itself: while the probe sees Keycloak up all along, the breaker
            // is the token endpoint's business (it may fail on its own) and keeps its open duration.
            if (returned && breaker.state() != CircuitBreaker.State.CLOSED) {
                breaker.onSuccess();
                LOG.info("circuit breaker closed: Keycloak is reachable");
            }
            if (again) {
                again = false;
                suspect();
            }
        });
    }
}

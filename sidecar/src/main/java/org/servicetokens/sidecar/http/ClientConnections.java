package org.servicetokens.sidecar.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * Keeps slow or idle clients from holding connections: a connection's first request head (request line and headers)
 * must arrive within {@code listen.header-timeout} of its opening, and the next one within {@code listen.idle-timeout}
 * of the previous response's end (a keep-alive connection that dribbles a byte now and then, so that Vert.x's own idle
 * timeout never fires, is still closed); at most {@code listen.max-connections} are open at once over all event
 * loops, and the ones beyond are closed as soon as they are accepted. Vert.x's idle timeout ({@code
 * listen.idle-timeout}, set on the server) closes connections with no bytes either way in the middle of a request.
 *
 * <p>Needs h2c off (the default): with h2c on, Vert.x hands a connection over only once its first request head is
 * complete, so these bounds would start from there (Vert.x's idle timeout still closes silent connections).
 *
 * <p>One instance per sidecar (the count); one {@link Guard} per verticle, touched only on its event loop. Timeouts are
 * checked by a sweep every quarter of the shorter timeout (at most 1 s), so a connection is closed within its timeout
 * plus that. Upgraded connections (WebSocket) are left to the idle timeout. Metrics: {@code sidecar_connections_open},
 * {@code sidecar_connections_refused_total}, {@code sidecar_connection_timeouts_total{phase}} ({@code request_head},
 * {@code keep_alive}).
 */
public final class ClientConnections {

    private final AtomicInteger open = new AtomicInteger();
    private final int max;
    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long sweepMs;
    private final SidecarMetrics metrics;

    public ClientConnections(SidecarConfig.Listen listen, SidecarMetrics metrics) {
        this.max = listen.maxConnections;
        this.headerTimeoutNanos = listen.headerTimeout.toNanos();
        this.idleTimeoutNanos = listen.idleTimeout.toNanos();
        this.sweepMs = Math.max(
                50, Math.min(1000, Math.min(listen.headerTimeout.toMillis(), listen.idleTimeout.toMillis()) / 4));
        this.metrics = metrics;
        metrics.gauge("sidecar.connections.open", "Client connections open now (all event loops)", open::get);
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    public Guard guard(Vertx vertx) {
        return new Guard(vertx);
    }

    /** The connections of one verticle's server: call {@link #opened} from its connection handler, {@link #request} first in its request handler. */
    public final class Guard {

        private final Vertx vertx;
        private final Map<HttpConnection, State> states = new HashMap<>();
        private long timerId = -1;

        private Guard(Vertx vertx) {
            this.vertx = vertx;
        }

        public void start() {
            timerId = vertx.setPeriodic(sweepMs, id -> sweep());
        }

        public void stop() {
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
            }
        }

        public void opened(HttpConnection connection) {
            State state = new State(System.nanoTime());
            state.refused = open.incrementAndGet() > max;
            if (state.refused) {
                open.decrementAndGet();
                metrics.connectionRefused();
            }
            states.put(connection, state);
            connection.closeHandler(v -> {
                State gone = states.remove(connection);
                if (gone != null && !gone.refused) {
                    open.decrementAndGet();
                }
            });
            if (state.refused) {
                connection.close();
            }
        }

        /** A request head arrived; false when its connection was refused (it is being closed: do not answer). */
        public boolean request(HttpServerRequest request) {
            State state = states.get(request.connection());
            if (state == null) {
                return true;
            }
            if (state.refused) {
                return false;
            }
            state.last = request;
            state.idleSince = -1;
            if (request.headers().contains(HttpHeaders.UPGRADE)) {
                state.upgraded = true;
            }
            return true;
        }

        private void sweep() {
            long now = System.nanoTime();
            states.forEach((connection, state) -> {
                if (state.upgraded || state.closing || state.refused) {
                    return;
                }
                if (state.last == null) {
                    if (now - state.openedAt > headerTimeoutNanos) {
                        close(connection, state, "request_head");
                    }
                } else if (state.last.response().ended()) {
                    if (state.idleSince < 0) {
                        state.idleSince = now;
                    } else if (now - state.idleSince > idleTimeoutNanos) {
                        close(connection, state, "keep_alive");
                    }
                }
            });
        }

        private void close(HttpConnection connection, State state, String phase) {
            state.closing = true;
            metrics.connectionTimeout(phase);
            connection.close();
        }
    }

    private static final class State {
        final long openedAt;
        HttpServerRequest last;
        long idleSince = -1;
        boolean upgraded;
        boolean closing;
        boolean refused;

        State(long openedAt) {
            this.openedAt = openedAt;
        }
    }
}

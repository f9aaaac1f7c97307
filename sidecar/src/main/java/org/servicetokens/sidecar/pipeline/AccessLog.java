package org.servicetokens.sidecar.pipeline;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * One JSON line per answered request on the logger {@value #LOGGER} (Main sends it to stdout). Fields are
 * chosen so that no token or secret can appear: the path without its query, identity fields from verified
 * claims, and short reason codes. Also counts the request in the metrics, from the same data.
 */
public final class AccessLog {

    public static final String LOGGER = "org.servicetokens.sidecar.access";
    public static final String START = "sidecar.start";
    public static final String DECISION = "decision";
    public static final String REASON = "reason";
    public static final String IDENTITY = "identity";
    public static final String PATH = "sidecar.path";
    private static final Logger LOG = Logger.getLogger(LOGGER);

    private final SidecarMetrics metrics;
    private final boolean enabled;

    /**
     * Sends the access log to stdout as bare JSON lines (and not to the root handlers). Done through this
     * class's own strong reference: JUL keeps loggers weakly, so a handler added elsewhere could vanish.
     */
    public static void toStdout() {
        LOG.setUseParentHandlers(false);
        java.util.logging.StreamHandler stdout =
                new java.util.logging.StreamHandler(System.out, new java.util.logging.Formatter() {
                    @Override
                    public String format(java.util.logging.LogRecord r) {
                        return r.getMessage() + System.lineSeparator();
                    }
                });
        stdout.setLevel(Level.INFO);
        LOG.setLevel(Level.INFO);
        LOG.addHandler(stdout);
        // Flushing per line would cost a write(2) per request on the event loops; twice a second is enough for
        // log shippers, and the shutdown hook flushes the rest.
        java.util.concurrent.ScheduledExecutorService flusher =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "access-log-flush");
                    t.setDaemon(true);
                    return t;
                });
        flusher.scheduleAtFixedRate(stdout::flush, 500, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(stdout::flush, "access-log-final-flush"));
    }

    public AccessLog(SidecarMetrics metrics, boolean enabled) {
        this.metrics = metrics;
        this.enabled = enabled;
    }

    /**
     * First handler of every {@code /.sidecar/*} route: notes the start and logs when the response ends or the
     * connection drops.
     */
    public void begin(RoutingContext ctx) {
        if (enabled) {
            ctx.put(START, System.nanoTime());
        }
        ctx.addEndHandler(ar -> {
            String path = ctx.get(PATH);
            log(
                    ctx.request(),
                    ctx.response().getStatusCode(),
                    ctx.get(DECISION, "none"),
                    ctx.get(REASON, "none"),
                    ctx.get(IDENTITY),
                    path == null ? ctx.request().path() : path,
                    ctx.get(START, System.nanoTime()));
        });
        ctx.next();
    }

    /** The same for a request handed straight to the pipeline, without a router. */
    public RequestContext begin(HttpServerRequest request) {
        RequestContext.Direct context = new RequestContext.Direct(request, enabled ? System.nanoTime() : 0);
        Handler<Void> done = v -> {
            if (context.markLogged()) {
                log(
                        request,
                        request.response().getStatusCode(),
                        context.decision,
                        context.reason,
                        context.identity,
                        context.path == null ? request.path() : context.path,
                        context.start);
            }
        };
        request.response().endHandler(done).closeHandler(done);
        return context;
    }

    private void log(
            HttpServerRequest request,
            int status,
            String decision,
            String reason,
            Identity id,
            String path,
            long start) {
        metrics.request(decision, reason);
        if (!enabled || !LOG.isLoggable(Level.INFO)) {
            return;
        }
        JsonObject line = new JsonObject()
                .put("time", Instant.now().toString())
                .put("method", capped(request.method().name(), 32))
                .put("path", path == null ? null : capped(path, 512))
                .put("status", status)
                .put("decision", decision)
                .put("reason", reason)
                .put("subject", id == null ? null : id.subject())
                .put("type", id == null ? null : id.type().wireName())
                .put("client_id", id == null ? null : id.clientId())
                .put("token_name", id == null ? null : id.tokenName())
                .put("latency_ms", (System.nanoTime() - start) / 1_000_000.0);
        LOG.info(line.encode());
    }

    /** Fields a client chose (method, path) are cut to a fixed length: a log line's size is bounded. */
    private static String capped(String value, int max) {
        return value.length() > max ? value.substring(0, max) : value;
    }
}

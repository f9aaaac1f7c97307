package org.servicetokens.sidecar.pipeline;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * One JSON line per answered request, handed to the installed {@link AccessLogWriter} (stdout and/or a file, written
 * off the event loops), or without one to the logger {@value #LOGGER}. Fields are
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

    /** Where lines go when a writer is installed (the process's sidecar); else the logger (tests, embedding). */
    private static volatile AccessLogWriter writer;
    /** "yyyy-MM-ddTHH:mm:ss." of the current second: formatted once a second, not per line. */
    private static volatile Second second = new Second(Long.MIN_VALUE, "");

    private record Second(long epochSecond, String prefix) {}

    /**
     * Sends every line to {@code w} (off the event loops, see {@link AccessLogWriter}) instead of the logger
     * {@value #LOGGER}; null goes back to the logger. Process-wide, as the logger was: a process has one access
     * log, whichever sidecars it runs.
     */
    public static void install(AccessLogWriter w) {
        writer = w;
    }

    /** Lines the installed writer dropped because its queue was full (0 without one): for a monotonic counter. */
    public static long droppedLines() {
        AccessLogWriter w = writer;
        return w == null ? 0 : w.dropped();
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
        AccessLogWriter w = writer;
        if (!enabled || (w == null && !LOG.isLoggable(Level.INFO))) {
            return;
        }
        String line = line(
                System.currentTimeMillis(),
                capped(request.method().name(), 32),
                path == null ? null : capped(path, 512),
                status,
                decision,
                reason,
                id,
                (System.nanoTime() - start) / 1_000_000.0);
        if (w != null) {
            w.offer(line);
        } else {
            LOG.info(line);
        }
    }

    /**
     * One line: a JSON object with {@code time} (ISO-8601 UTC, milliseconds), {@code method}, {@code path},
     * {@code status}, {@code decision}, {@code reason}, {@code subject}, {@code type}, {@code client_id},
     * {@code token_name}, {@code latency_ms}; absent values as JSON null. Strings are escaped by Jackson's
     * {@link JsonStringEncoder} (RFC 8259 section 7), so a hostile method, path or claim cannot break the line.
     */
    static String line(
            long epochMillis,
            String method,
            String path,
            int status,
            String decision,
            String reason,
            Identity id,
            double latencyMs) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":\"");
        appendTime(b, epochMillis);
        b.append("\",\"method\":");
        string(b, method);
        b.append(",\"path\":");
        string(b, path);
        b.append(",\"status\":").append(status);
        b.append(",\"decision\":");
        string(b, decision);
        b.append(",\"reason\":");
        string(b, reason);
        b.append(",\"subject\":");
        string(b, id == null ? null : id.subject());
        b.append(",\"type\":");
        string(b, id == null ? null : id.type().wireName());
        b.append(",\"client_id\":");
        string(b, id == null ? null : id.clientId());
        b.append(",\"token_name\":");
        string(b, id == null ? null : id.tokenName());
        b.append(",\"latency_ms\":").append(latencyMs).append('}');
        return b.toString();
    }

    private static void string(StringBuilder b, String value) {
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, b);
        b.append('"');
    }

    private static void appendTime(StringBuilder b, long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second s = second;
        if (s.epochSecond != epochSecond) {
            String full = Instant.ofEpochSecond(epochSecond).toString(); // 2026-01-02T03:04:05Z
            s = new Second(epochSecond, full.substring(0, full.length() - 1) + '.');
            second = s;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        b.append(s.prefix);
        if (millis < 100) {
            b.append('0');
        }
        if (millis < 10) {
            b.append('0');
        }
        b.append(millis).append('Z');
    }

    /** Fields a client chose (method, path) are cut to a fixed length: a log line's size is bounded. */
    private static String capped(String value, int max) {
        return value.length() > max ? value.substring(0, max) : value;
    }
}

package org.servicetokens.sidecar.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The sidecar's own meters, next to the Vert.x ones in the same Prometheus registry. Tag values are short
 * fixed codes (decision, reason, outcome), never anything a caller controls, so cardinality stays bounded.
 * Meters are memoised: Micrometer's registry lookup per request would cost more than the counting.
 */
public final class SidecarMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    /** decision → reason → counter: two lookups and no key to build, once per request. */
    private final ConcurrentMap<String, ConcurrentMap<String, Counter>> requestCounters = new ConcurrentHashMap<>();

    private final Timer upstreamLatency;

    public SidecarMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.upstreamLatency = Timer.builder("sidecar.upstream.duration")
                .description("Time from forwarding a request upstream to the end of the upstream's response head")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One per answered request: {@code decision} is allow/deny/error/public, {@code reason} a short code. */
    public void request(String decision, String reason) {
        ConcurrentMap<String, Counter> byReason = requestCounters.get(decision);
        if (byReason == null) {
            byReason = requestCounters.computeIfAbsent(decision, d -> new ConcurrentHashMap<>());
        }
        Counter c = byReason.get(reason);
        if (c == null) {
            c = byReason.computeIfAbsent(
                    reason,
                    r -> counter(
                            "sidecar.requests", "Requests by decision and reason", "decision", decision, "reason", r));
        }
        c.increment();
    }

    /** Calls made to Keycloak's token endpoint: success, rejected (4xx), unavailable (5xx, timeout, reset). */
    public void grantCall(String outcome) {
        counter("sidecar.exchange.calls", "client_credentials calls to Keycloak", "outcome", outcome, null, null)
                .increment();
    }

    /**
     * Exchanges answered without a call to Keycloak: client_rate_limited, exchange_rate_limited (429),
     * keycloak_unreachable (the probe knows), breaker_open, pool_busy (503).
     */
    public void grantRefused(String reason) {
        counter("sidecar.exchange.refused", "Exchanges answered without calling Keycloak", "reason", reason, null, null)
                .increment();
    }

    /** Exchange cache lookups: hit, miss, negative (a remembered failure). */
    public void grantCache(String result) {
        counter("sidecar.exchange.cache", "Exchanged-token cache lookups", "result", result, null, null)
                .increment();
    }

    /** Browser-session refreshes at Keycloak: success, rejected (the session ends), unavailable (kept until exp). */
    public void sessionRefresh(String outcome) {
        counter(
                        "sidecar.session.refreshes",
                        "Browser-session token refreshes at Keycloak",
                        "outcome",
                        outcome,
                        null,
                        null)
                .increment();
    }

    public void jwksRefresh(String outcome) {
        counter("sidecar.jwks.refreshes", "JWKS fetches by outcome", "outcome", outcome, null, null)
                .increment();
    }

    public void revocation(String outcome) {
        counter("sidecar.revocations", "Back-channel logout tokens by outcome", "outcome", outcome, null, null)
                .increment();
    }

    /**
     * A back-channel logout token refused, by the refusal's reason code ({@code wrong_issuer}, {@code wrong_audience},
     * {@code stale_iat}…: fixed codes, never caller text). The pushing side sees only a 400; this says why.
     */
    public void logoutTokenRefused(String reason) {
        counter(
                        "sidecar.logout.tokens.refused",
                        "Back-channel logout tokens refused, by reason",
                        "reason",
                        reason,
                        null,
                        null)
                .increment();
    }

    /** A revocation record written by another replica arrived here through the cluster. */
    public void clusterRevocationReceived() {
        counter(
                        "sidecar.cluster.revocations.received",
                        "Revocation records received from other replicas",
                        "origin",
                        "cluster",
                        null,
                        null)
                .increment();
    }

    /** A client connection closed at once because listen.max-connections were open. */
    public void connectionRefused() {
        counter(
                        "sidecar.connections.refused",
                        "Client connections closed at once: listen.max-connections reached",
                        "limit",
                        "max_connections",
                        null,
                        null)
                .increment();
    }

    /** A client connection closed for slowness: phase request_head (first head too slow) or keep_alive. */
    public void connectionTimeout(String phase) {
        counter(
                        "sidecar.connection.timeouts",
                        "Client connections closed because a request head did not arrive in time",
                        "phase",
                        phase,
                        null,
                        null)
                .increment();
    }

    public void upstreamLatency(long nanos) {
        upstreamLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value)
                .description(description)
                .register(registry);
    }

    /** A gauge with one tag; the tag value is one of the sidecar's fixed names (a cache name, say). */
    public void gauge(String name, String description, String tag, String tagValue, Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value)
                .description(description)
                .tag(tag, tagValue)
                .register(registry);
    }

    private Counter counter(String name, String description, String k1, String v1, String k2, String v2) {
        String key = name + '|' + v1 + '|' + v2;
        Counter c = counters.get(key);
        if (c == null) {
            Counter.Builder b = Counter.builder(name).description(description).tag(k1, v1);
            if (k2 != null) {
                b.tag(k2, v2);
            }
            c = counters.computeIfAbsent(key, k -> b.register(registry));
        }
        return c;
    }
}

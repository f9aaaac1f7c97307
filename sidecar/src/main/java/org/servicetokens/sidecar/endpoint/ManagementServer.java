package org.servicetokens.sidecar.endpoint;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.keycloak.CircuitBreaker;
import org.servicetokens.sidecar.keycloak.KeycloakProbe;
import org.servicetokens.sidecar.keycloak.OidcProvider;

/**
 * The management port, kept off the app's port so it is never proxied or exposed with it:
 * {@code /health} (the process answers), {@code /ready} (realm keys loaded and caches up: traffic can be
 * judged), {@code /metrics} (Prometheus text).
 *
 * <p>Keycloak being unreachable does NOT make {@code /ready} fail: a replica with the realm keys still verifies
 * JWTs and serves cached exchanges, and taking every replica out of a load balancer during a Keycloak outage
 * would turn a partial outage (new exchanges only) into a total one. The body reports it instead
 * ({@code keycloak}, {@code breaker}, {@code clusterMembers}), as do the metrics.
 */
public final class ManagementServer {

    private final Vertx vertx;
    private final SidecarConfig.Management config;
    private final OidcProvider provider;
    private final SidecarCaches caches;
    private final PrometheusMeterRegistry registry;
    private final KeycloakProbe probe;
    private final CircuitBreaker breaker;
    private HttpServer server;

    public ManagementServer(
            Vertx vertx,
            SidecarConfig.Management config,
            OidcProvider provider,
            SidecarCaches caches,
            PrometheusMeterRegistry registry,
            KeycloakProbe probe,
            CircuitBreaker breaker) {
        this.vertx = vertx;
        this.config = config;
        this.provider = provider;
        this.caches = caches;
        this.registry = registry;
        this.probe = probe;
        this.breaker = breaker;
    }

    public Future<Integer> start() {
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
        router.get("/ready").handler(ctx -> {
            boolean keys = provider.ready();
            boolean cachesUp = caches.up();
            boolean ready = keys && cachesUp;
            ctx.response().setStatusCode(ready ? 200 : 503);
            ctx.json(new JsonObject()
                    .put("status", ready ? "UP" : "DOWN")
                    .put("jwks", keys ? "loaded" : "missing")
                    .put("caches", cachesUp ? "up" : "down")
                    .put("clusterMembers", caches.clusterSize())
                    .put("keycloak", probe.reachable() ? "reachable" : "unreachable")
                    .put("breaker", breaker.state().name().toLowerCase()));
        });
        // Gauges read caches and counters that may take locks: sampled on a worker thread, never on an event loop.
        router.get("/metrics")
                .handler(ctx -> vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
                    if (ar.failed()) {
                        ctx.response().setStatusCode(500).end();
                        return;
                    }
                    ctx.response()
                            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                            .end(ar.result());
                }));
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(config.port, config.host)
                .map(s -> {
                    server = s;
                    return s.actualPort();
                });
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}

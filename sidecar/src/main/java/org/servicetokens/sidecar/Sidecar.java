package org.servicetokens.sidecar;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.ConfigException;
import org.servicetokens.sidecar.config.HeapBudget;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.endpoint.ManagementServer;
import org.servicetokens.sidecar.grant.ClientCredentialsGrants;
import org.servicetokens.sidecar.http.ClientConnections;
import org.servicetokens.sidecar.jwt.VerifiedTokens;
import org.servicetokens.sidecar.keycloak.CircuitBreaker;
import org.servicetokens.sidecar.keycloak.KeycloakProbe;
import org.servicetokens.sidecar.keycloak.OidcProvider;
import org.servicetokens.sidecar.keycloak.TokenEndpoint;
import org.servicetokens.sidecar.login.PendingLogins;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.pipeline.AccessLog;
import org.servicetokens.sidecar.policy.Policy;
import org.servicetokens.sidecar.policy.PolicyParser;
import org.servicetokens.sidecar.revocation.ReplicatedRevocationCounter;
import org.servicetokens.sidecar.revocation.RevocationStore;
import org.servicetokens.sidecar.session.SessionServices;

/**
 * A running sidecar: its Vert.x instance, shared services, N {@link SidecarVerticle}s and the management
 * server. {@link #start} is what {@link Main} and the tests call; {@link #close} undoes all of it.
 */
public final class Sidecar {

    private static final Logger LOG = Logger.getLogger(Sidecar.class.getName());

    private final Vertx vertx;
    private final Shared shared;
    private final ManagementServer management;
    private final int managementPort;
    private final KeycloakProbe probe;

    private Sidecar(Vertx vertx, Shared shared, ManagementServer management, int managementPort, KeycloakProbe probe) {
        this.vertx = vertx;
        this.probe = probe;
        this.shared = shared;
        this.management = management;
        this.managementPort = managementPort;
    }

    public static Future<Sidecar> start(SidecarConfig config) {
        List<String> problems = new ArrayList<>();
        Policy policy = PolicyParser.parse(config.policy.rules, problems);
        if (!problems.isEmpty()) {
            return Future.failedFuture(new ConfigException(problems));
        }
        // Start-up is mostly class loading and I/O waits: the independent steps overlap. Infinispan starts on its own
        // thread now, the realm's discovery document and keys are fetched as soon as Vert.x exists; the verticles,
        // which need the caches, are deployed when both Vert.x and the caches are up.
        CompletableFuture<SidecarCaches> cachesStarting = SidecarCaches.startInBackground(config);
        // Caps that cannot fit the heap are the operator's call (the heap may be sized for other traffic): warned,
        // once.
        HeapBudget heapBudget = HeapBudget.of(config, Runtime.getRuntime().maxMemory());
        String heapWarning = heapBudget.warning();
        if (heapWarning != null) {
            LOG.warning(heapWarning);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(new MicrometerMetricsOptions()
                                .setEnabled(true)
                                .setJvmMetricsEnabled(true)
                                // Vert.x's own per-request HTTP meters (a tag lookup on every request and every
                                // upstream call) cost
                                // more than the sidecar's authentication on the hot path; sidecar_requests_total and
                                // sidecar_upstream_duration_seconds already count and time every request.
                                .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
                                .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
                                // Unique per instance: several sidecars may share a JVM (tests), each with its own
                                // registry.
                                .setRegistryName("sidecar-" + UUID.randomUUID())))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        SidecarMetrics metrics = new SidecarMetrics(registry);
        FunctionCounter.builder("sidecar.access.log.dropped", registry, r -> AccessLog.droppedLines())
                .description("Access-log lines dropped because the writer's queue was full")
                .register(registry);
        OidcProvider provider = new OidcProvider(vertx, config.keycloak, metrics);
        provider.start();
        // Completed from outside any context: on failure Vert.x is closed first, and a future bound to one of its
        // event loops would then never deliver the failure (the caller waited for its own timeout).
        io.vertx.core.Promise<Sidecar> result = io.vertx.core.Promise.promise();
        Future.fromCompletionStage(cachesStarting, vertx.getOrCreateContext())
                .compose(caches -> {
                    TokenEndpoint tokenEndpoint = new TokenEndpoint(vertx, provider, config, metrics);
                    ClientCredentialsGrants grants =
                            new ClientCredentialsGrants(vertx, tokenEndpoint, caches, config, metrics);
                    RevocationStore revocations =
                            new RevocationStore(caches.revocations(), config.revocation.retention);
                    SessionServices sessions = SessionServices.create(config, tokenEndpoint, caches, metrics);
                    // One for the process: a token verified on one event loop is a hit on all of them.
                    VerifiedTokens verifiedTokens = new VerifiedTokens(config.tokens.verifiedCacheSize);
                    verifiedTokens.monitor(registry);
                    Shared shared = new Shared(
                            config,
                            policy,
                            metrics,
                            caches,
                            provider,
                            tokenEndpoint,
                            grants,
                            revocations,
                            verifiedTokens,
                            new AtomicInteger(),
                            sessions,
                            new PendingLogins(sessions.cookies(), caches.loginCookieKey(), config.login.timeout),
                            new ClientConnections(config.listen, metrics));
                    metrics.gauge(
                            "sidecar.jwks.loaded", "1 when the realm keys are loaded", () -> provider.ready() ? 1 : 0);
                    metrics.gauge(
                            "sidecar.exchange.cache.size",
                            "Exchanged tokens cached",
                            () -> SidecarCaches.localSize(caches.grantedTokens()));
                    for (var cache : List.of(
                            caches.grantedTokens(),
                            caches.grantRefusals(),
                            caches.grantsInFlight(),
                            caches.sessions(),
                            caches.sessionSubjects(),
                            caches.revocations(),
                            caches.logoutJtis())) {
                        metrics.gauge(
                                "sidecar.cache.entries",
                                "Entries in this replica's copy of each shared cache",
                                "cache",
                                cache.getName(),
                                () -> SidecarCaches.localSize(cache));
                    }
                    metrics.gauge(
                            "sidecar.cache.worst.case.bytes",
                            "Heap bytes the sidecar needs with every bounded cache full at its configured cap (estimate)",
                            heapBudget::worstCaseBytes);
                    metrics.gauge(
                            "sidecar.exchange.waiting",
                            "Exchanges waiting for a call to Keycloak beyond the rate",
                            () -> grants.admission().waiting());
                    metrics.gauge(
                            "sidecar.exchange.inflight",
                            "Calls to Keycloak's token endpoint in flight",
                            tokenEndpoint::callsInFlight);
                    KeycloakProbe probe = new KeycloakProbe(
                            vertx,
                            provider.discoveryUrl(),
                            config.keycloak.probeInterval,
                            config.keycloak.probeTimeout,
                            config.keycloak.connectTimeout,
                            tokenEndpoint.breaker(),
                            config.keycloak.tls);
                    tokenEndpoint.useProbe(probe);
                    metrics.gauge(
                            "sidecar.keycloak.reachable",
                            "1 when Keycloak answered the last probe",
                            () -> probe.reachable() ? 1 : 0);
                    metrics.gauge(
                            "sidecar.keycloak.breaker.open",
                            "1 while new exchanges fail fast (breaker open or half-open)",
                            () -> tokenEndpoint.breaker().state() == CircuitBreaker.State.CLOSED ? 0 : 1);
                    metrics.gauge(
                            "sidecar.cluster.members",
                            "Replicas in this replica's cluster view, itself included (1 when local)",
                            caches::clusterSize);
                    caches.revocations().addListener(new ReplicatedRevocationCounter(metrics));
                    ManagementServer management = new ManagementServer(
                            vertx, config.management, provider, caches, registry, probe, tokenEndpoint.breaker());
                    probe.start();
                    provider.onFirstKeys(probe::suspect);
                    return vertx.deployVerticle(
                                    () -> new SidecarVerticle(shared),
                                    new DeploymentOptions().setInstances(config.instances()))
                            .compose(id -> management.start())
                            .map(port -> new Sidecar(vertx, shared, management, port, probe));
                })
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        result.complete(ar.result());
                        return;
                    }
                    provider.close();
                    // The caches may have failed, or still be starting: stopped once up (Infinispan's stop blocks, so
                    // not on an event loop), then Vert.x.
                    cachesStarting
                            .handleAsync((caches, e) -> {
                                if (caches != null) {
                                    caches.manager().stop();
                                }
                                return null;
                            })
                            .whenComplete((v, e) -> vertx.close().onComplete(closed -> result.fail(ar.cause())));
                });
        return result.future();
    }

    /** The port the proxy listens on (the configured one, or the one picked for port 0). */
    public int port() {
        return shared.port().get();
    }

    public int managementPort() {
        return managementPort;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The shared parts, for tests and tools that look inside a running sidecar. */
    public SidecarMetrics metrics() {
        return shared.metrics();
    }

    public SidecarCaches caches() {
        return shared.caches();
    }

    public ClientCredentialsGrants grants() {
        return shared.grants();
    }

    public boolean ready() {
        return shared.provider().ready() && shared.caches().up();
    }

    public Future<Void> close() {
        probe.close();
        shared.provider().close();
        // Completed from outside any context: Vert.x's own event loops are gone when vertx.close() completes.
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        management
                .close()
                .eventually(() -> Future.join(
                        vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
                .eventually(() -> shared.tokenEndpoint().close())
                .eventually(() -> shared.caches().close(vertx))
                .onComplete(ar -> vertx.close().onComplete(done));
        return done.future();
    }
}

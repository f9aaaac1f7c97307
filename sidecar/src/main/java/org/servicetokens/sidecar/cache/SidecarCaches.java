package org.servicetokens.sidecar.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.eviction.EvictionStrategy;
import org.infinispan.manager.DefaultCacheManager;
import org.servicetokens.sidecar.config.SidecarConfig;

/**
 * The embedded Infinispan container holding everything sidecar replicas share: exchanged tokens, remembered
 * exchange failures, exchange in-flight markers, revocations, seen logout-token jtis (and whatever else is
 * defined here through {@link #define}). Local by default; with {@code cluster.members} or
 * {@code cluster.dns-query} set (issue 7) the container joins a JGroups cluster ({@link ClusterChannel}) and
 * EVERY cache defined here becomes replicated (REPL_SYNC): the data is small (JWTs, cut-offs, sessions), every
 * request reads it, so a local copy on each replica keeps reads off the network, a replica that dies loses
 * nothing, and one that joins later receives the current revocations by state transfer before it is ready.
 *
 * <p>Values are Strings only (anything else needs a ProtoStream schema), so the clustered mode needs no marshalling setup. For the same
 * reason never pass lambdas to {@code merge}/{@code compute}: in a cluster they would have to be marshalled to
 * the key's owner; use {@code putIfAbsent}/{@code replace} loops. Clustered writes wait for the other replicas:
 * prefer the {@code …Async} methods on an event loop. Entries carry their own lifespans (the token's exp, the
 * negative TTL…); the defaults below are ceilings.
 */
public final class SidecarCaches {

    public static final String EXCHANGED = "exchanged-tokens";
    public static final String EXCHANGE_FAILURES = "exchange-failures";
    public static final String REVOCATIONS = "revocations";
    public static final String LOGOUT_JTIS = "logout-jtis";
    /** Cluster-wide single flight of exchanges: "replica X is calling Keycloak for this credential". */
    public static final String EXCHANGE_INFLIGHT = "exchange-inflight";
    /** Browser sessions (sealed under their own id), issue 6. Pending logins are not here: they live in a cookie. */
    public static final String SESSIONS = "sessions";
    /** Per-subject index of browser sessions (oldest first), so a subject's session cap holds across replicas. */
    public static final String SESSION_SUBJECTS = "session-subjects";
    /** Random keys every replica shares (the first replica to start makes each); written only by the sidecar itself. */
    public static final String KEYS = "sidecar-keys";

    private static final String LOGIN_COOKIE_KEY = "login-cookie";

    private final DefaultCacheManager manager;
    private final Cache<String, String> exchanged;
    private final Cache<String, String> exchangeFailures;
    private final Cache<String, String> revocations;
    private final Cache<String, String> logoutJtis;
    private final Cache<String, String> sessions;
    private final Cache<String, String> sessionSubjects;
    private final Cache<String, String> exchangeInflight;
    private final byte[] loginCookieKey;
    private final boolean clustered;

    private SidecarCaches(SidecarConfig config) {
        clustered = config.cluster.enabled();
        GlobalConfigurationBuilder global = clustered
                ? ClusterChannel.clusteredGlobal(config.cluster)
                : new GlobalConfigurationBuilder().nonClusteredDefault();
        // Several sidecars (or test instances) may share a JVM: unique names, no JMX registration clashes.
        global.cacheManagerName("sidecar-" + UUID.randomUUID());
        global.jmx().disable();
        manager = new DefaultCacheManager(global.build(), true);
        exchanged = define(EXCHANGED, config.exchange.maxEntries, Duration.ofHours(1));
        exchangeFailures = define(EXCHANGE_FAILURES, config.exchange.maxEntries, config.exchange.negativeTtl);
        revocations = define(REVOCATIONS, 1_000_000, config.revocation.retention);
        sessions = define(SESSIONS, config.sessions.maxEntries, Duration.ofDays(1));
        // Every indexed subject has at least one session when indexed, so the sessions bound bounds the index too.
        sessionSubjects = define(SESSION_SUBJECTS, config.sessions.maxEntries, Duration.ofDays(1));
        logoutJtis = define(
                LOGOUT_JTIS,
                1_000_000,
                config.revocation.maxTokenAge.plus(config.keycloak.leeway).plus(config.keycloak.leeway));
        exchangeInflight =
                define(EXCHANGE_INFLIGHT, config.exchange.maxEntries, config.keycloak.timeout.plusSeconds(2));
        Cache<String, String> keys = define(KEYS, 16, null);
        loginCookieKey = sharedKey(keys, LOGIN_COOKIE_KEY);
    }

    /** The key named {@code name}, made here if no replica made it yet (putIfAbsent: every replica gets the same). */
    private static byte[] sharedKey(Cache<String, String> keys, String name) {
        byte[] fresh = new byte[32];
        new java.security.SecureRandom().nextBytes(fresh);
        String mine = java.util.Base64.getEncoder().encodeToString(fresh);
        String existing = keys.putIfAbsent(name, mine);
        return java.util.Base64.getDecoder().decode(existing != null ? existing : mine);
    }

    /**
     * The AES-256 key that seals pending-login cookies: the same on every replica of a cluster, so a login started on
     * one can finish on another. Made once when the first replica starts; a whole-cluster restart makes a new one
     * (logins in progress then start again).
     */
    public byte[] loginCookieKey() {
        return loginCookieKey.clone();
    }

    /**
     * Starts the container on a thread of its own, at once: Infinispan's start (about a second, mostly class loading)
     * then overlaps whatever the caller does meanwhile (building Vert.x, fetching the realm's keys).
     */
    public static CompletableFuture<SidecarCaches> startInBackground(SidecarConfig config) {
        CompletableFuture<SidecarCaches> started = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        started.complete(new SidecarCaches(config));
                    } catch (Throwable e) {
                        started.completeExceptionally(e);
                    }
                },
                "sidecar-caches-start");
        t.setDaemon(true);
        t.start();
        return started;
    }

    /** Starts the container off the event loop (Infinispan's start is blocking). */
    public static Future<SidecarCaches> start(Vertx vertx, SidecarConfig config) {
        return vertx.executeBlocking(() -> new SidecarCaches(config), false);
    }

    private Cache<String, String> define(String name, long maxCount, Duration lifespan) {
        ConfigurationBuilder b = new ConfigurationBuilder();
        b.clustering().cacheMode(clustered ? CacheMode.REPL_SYNC : CacheMode.LOCAL);
        if (clustered) {
            // A member that hangs without dying must not stall writes for Infinispan's default 15 s.
            b.clustering().remoteTimeout(5, TimeUnit.SECONDS);
        }
        b.memory().maxCount(maxCount).whenFull(EvictionStrategy.REMOVE);
        if (lifespan != null) {
            b.expiration().lifespan(lifespan.toMillis(), TimeUnit.MILLISECONDS).wakeUpInterval(5, TimeUnit.SECONDS);
        }
        manager.defineConfiguration(name, b.build());
        return manager.getCache(name);
    }

    /** Access tokens from client credentials grants, by client ID + secret hash (cache name kept for the metrics). */
    public Cache<String, String> grantedTokens() {
        return exchanged;
    }

    /** Remembered refusals of client credentials grants (reason codes), by client ID + secret hash. */
    public Cache<String, String> grantRefusals() {
        return exchangeFailures;
    }

    public Cache<String, String> revocations() {
        return revocations;
    }

    public Cache<String, String> logoutJtis() {
        return logoutJtis;
    }

    /** Markers of grants in flight on some replica, for the cluster-wide single flight. */
    public Cache<String, String> grantsInFlight() {
        return exchangeInflight;
    }

    /**
     * Entries in this replica's copy of {@code cache} (replicated: all of them), expired ones not yet purged
     * included: read from the local data container, so it never asks the other replicas (a clustered
     * {@code Cache.size()} does, and blocks while it waits). For gauges.
     */
    public static long localSize(Cache<String, String> cache) {
        return cache.getAdvancedCache().getDataContainer().sizeIncludingExpired();
    }

    /** True when this container is part of a JGroups cluster (cluster.members or cluster.dns-query set). */
    public boolean clustered() {
        return clustered;
    }

    /** Members of the cluster this replica currently sees, itself included (1 when local). */
    public int clusterSize() {
        return clustered ? Math.max(1, manager.getClusterSize()) : 1;
    }

    /** The underlying container, for listeners and cluster views. */
    public DefaultCacheManager manager() {
        return manager;
    }

    public Cache<String, String> sessions() {
        return sessions;
    }

    /** Subject hash → that subject's session cache keys, oldest first ({@link #SESSION_SUBJECTS}). */
    public Cache<String, String> sessionSubjects() {
        return sessionSubjects;
    }

    /** Readiness: every cache is running. */
    public boolean up() {
        return manager.getStatus().allowInvocations()
                && exchanged.getStatus().allowInvocations()
                && revocations.getStatus().allowInvocations();
    }

    public Future<Void> close(Vertx vertx) {
        return vertx.executeBlocking(
                () -> {
                    manager.stop();
                    return null;
                },
                false);
    }
}

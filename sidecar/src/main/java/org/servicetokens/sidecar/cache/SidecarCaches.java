package org.servicetokens.sidecar.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.eviction.EvictionStrategy;
import org.infinispan.manager.DefaultCacheManager;
import org.servicetokens.sidecar.config.SidecarConfig;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The embedded Infinispan container holding everything that must be shared between sidecar replicas once
 * clustered (issue 7): exchanged tokens, remembered exchange failures, revocations, seen logout-token jtis.
 * Local mode for now; values are Strings only (PITFALLS 13), so a clustered mode needs no marshalling setup.
 * Entries carry their own lifespans (the token's exp, the negative TTL…); the defaults below are ceilings.
 */
public final class SidecarCaches {

  public static final String EXCHANGED = "exchanged-tokens";
  public static final String EXCHANGE_FAILURES = "exchange-failures";
  public static final String REVOCATIONS = "revocations";
  public static final String LOGOUT_JTIS = "logout-jtis";
  /** Browser sessions (sealed under their own id) and pending logins, issue 6. */
  public static final String SESSIONS = "sessions";

  private final DefaultCacheManager manager;
  private final Cache<String, String> exchanged;
  private final Cache<String, String> exchangeFailures;
  private final Cache<String, String> revocations;
  private final Cache<String, String> logoutJtis;
  private final Cache<String, String> sessions;

  private SidecarCaches(SidecarConfig config) {
    GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
    // Several sidecars (or test instances) may share a JVM: unique names, no JMX registration clashes.
    global.cacheManagerName("sidecar-" + UUID.randomUUID());
    global.jmx().disable();
    manager = new DefaultCacheManager(global.build(), true);
    exchanged = define(EXCHANGED, config.exchange.maxEntries, Duration.ofHours(1));
    exchangeFailures = define(EXCHANGE_FAILURES, config.exchange.maxEntries, config.exchange.negativeTtl);
    revocations = define(REVOCATIONS, 1_000_000, config.revocation.retention);
    sessions = define(SESSIONS, config.sessions.maxEntries, Duration.ofDays(1));
    logoutJtis = define(LOGOUT_JTIS, 1_000_000, config.revocation.maxTokenAge.plus(config.keycloak.leeway).plus(config.keycloak.leeway));
  }

  /** Starts the container off the event loop (Infinispan's start is blocking). */
  public static Future<SidecarCaches> start(Vertx vertx, SidecarConfig config) {
    return vertx.executeBlocking(() -> new SidecarCaches(config), false);
  }

  private Cache<String, String> define(String name, long maxCount, Duration lifespan) {
    ConfigurationBuilder b = new ConfigurationBuilder();
    b.clustering().cacheMode(CacheMode.LOCAL);
    b.memory().maxCount(maxCount).whenFull(EvictionStrategy.REMOVE);
    b.expiration().lifespan(lifespan.toMillis(), TimeUnit.MILLISECONDS).wakeUpInterval(5, TimeUnit.SECONDS);
    manager.defineConfiguration(name, b.build());
    return manager.getCache(name);
  }

  public Cache<String, String> exchanged() {
    return exchanged;
  }

  public Cache<String, String> exchangeFailures() {
    return exchangeFailures;
  }

  public Cache<String, String> revocations() {
    return revocations;
  }

  public Cache<String, String> logoutJtis() {
    return logoutJtis;
  }

  public Cache<String, String> sessions() {
    return sessions;
  }

  /** Readiness: every cache is running. */
  public boolean up() {
    return manager.getStatus().allowInvocations()
        && exchanged.getStatus().allowInvocations()
        && revocations.getStatus().allowInvocations();
  }

  public Future<Void> close(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      manager.stop();
      return null;
    }, false);
  }
}

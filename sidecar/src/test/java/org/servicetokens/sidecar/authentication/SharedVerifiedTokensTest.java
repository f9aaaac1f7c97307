package org.servicetokens.sidecar.authentication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.jwt.VerifiedTokens;
import org.servicetokens.sidecar.keycloak.OidcProvider;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.revocation.RevocationStore;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestKey;

/**
 * One cache of verified tokens behind every verticle's verifier: a token verified by one is a hit for the others,
 * each request gets its own token back, and revocation is still checked on every hit.
 */
class SharedVerifiedTokensTest {

    static Vertx vertx;
    static FakeKeycloak keycloak;
    static OidcProvider provider;
    static DefaultCacheManager manager;
    static RevocationStore revocations;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        keycloak = new FakeKeycloak(vertx, TestKey.rsa("k1"));
        Http.await(keycloak.start());
        SidecarConfig.Keycloak config = new SidecarConfig.Keycloak();
        config.issuer = keycloak.issuer();
        provider = new OidcProvider(vertx, config, new SidecarMetrics(new SimpleMeterRegistry()));
        Http.await(provider.start());
        long deadline = System.currentTimeMillis() + 10_000;
        while (!provider.ready() && System.currentTimeMillis() < deadline) {
            sleep(20);
        }
        assertTrue(provider.ready(), "keys loaded");
        manager = new DefaultCacheManager(
                new GlobalConfigurationBuilder().nonClusteredDefault().build());
        manager.defineConfiguration("revocations", new ConfigurationBuilder().build());
        revocations = new RevocationStore(manager.getCache("revocations"), Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        provider.close();
        manager.stop();
        Http.await(vertx.close());
    }

    private static JwtVerifier verifier(VerifiedTokens cache) {
        return new JwtVerifier(vertx, provider, "demo-app", 30, cache, 3600);
    }

    private static double hits(SimpleMeterRegistry registry, String result) {
        return registry.get("cache.gets")
                .tag("cache", VerifiedTokens.NAME)
                .tag("result", result)
                .functionCounter()
                .count();
    }

    @Test
    void aTokenVerifiedByOneVerifierIsAHitForAnother() {
        VerifiedTokens cache = new VerifiedTokens(100);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        cache.monitor(registry);
        JwtVerifier first = verifier(cache);
        JwtVerifier second = verifier(cache);
        String token = keycloak.token(keycloak.claims("shared-user"));

        Identity verified = Http.await(first.verifyAccessToken(token));
        assertEquals(1, hits(registry, "miss"));
        Identity hit = Http.await(second.verifyAccessToken(new String(token)));
        assertEquals(1, hits(registry, "hit"), "the second verifier did not verify again");
        assertEquals(1, cache.size());
        assertEquals("shared-user", hit.subject());
        assertNotSame(verified, hit, "each request gets its own copy");
        assertEquals(token, hit.token(), "with its own token");

        // The token is forwarded as sent, and the shared header block holds no token of its own.
        IdentityHeaders headers = new IdentityHeaders(new SidecarConfig());
        MultiMap forwarded = MultiMap.caseInsensitiveMultiMap();
        headers.apply(hit, forwarded);
        assertEquals(token, forwarded.get(IdentityHeaders.ASSERTION));
        assertEquals(1, forwarded.getAll(IdentityHeaders.ASSERTION).size());
    }

    @Test
    void theCacheIsScrapedAsDocumented() {
        VerifiedTokens cache = new VerifiedTokens(100);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        cache.monitor(registry);
        String token = keycloak.token(keycloak.claims("scraped-user"));
        JwtVerifier verifier = verifier(cache);
        Http.await(verifier.verifyAccessToken(token));
        Http.await(verifier.verifyAccessToken(token));
        String scrape = registry.scrape();
        for (String series : List.of(
                "cache_gets_total{cache=\"verified_tokens\",result=\"hit\"} 1.0",
                "cache_gets_total{cache=\"verified_tokens\",result=\"miss\"} 1.0",
                "cache_size{cache=\"verified_tokens\"} 1.0",
                "cache_evictions_total{cache=\"verified_tokens\"} 0.0")) {
            assertTrue(scrape.contains(series), series + " in:\n" + scrape);
        }
        assertFalse(scrape.contains(token.substring(token.length() - 20)), "no token in the metrics");
    }

    @Test
    void aTokenSignedByNobodyNeverEntersTheCache() {
        VerifiedTokens cache = new VerifiedTokens(100);
        JwtVerifier verifier = verifier(cache);
        String forged = TestKey.rsa("k1").sign(keycloak.claims("mallory"));
        Throwable failure = failure(verifier.verifyAccessToken(forged));
        assertEquals("invalid_signature", ((AuthenticationFailure) failure).reason());
        assertEquals(0, cache.size());
    }

    @Test
    void revocationStillAppliesOnAHit() {
        VerifiedTokens cache = new VerifiedTokens(100);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        cache.monitor(registry);
        AccessTokenCheck check = new AccessTokenCheck(verifier(cache), revocations);
        AccessTokenCheck otherLoop = new AccessTokenCheck(verifier(cache), revocations);
        String token = keycloak.token(keycloak.claims("revoked-user"));

        Http.await(check.verify(token));
        Http.await(otherLoop.verify(token));
        assertEquals(1, hits(registry, "hit"));

        revocations.revokeSubject("revoked-user", System.currentTimeMillis() / 1000 + 1);
        Throwable failure = failure(otherLoop.verify(token));
        assertTrue(AccessTokenCheck.isRevoked(failure));
        assertEquals(2, hits(registry, "hit"), "refused on a hit");
        assertEquals(0, cache.size(), "and forgotten");
        assertTrue(AccessTokenCheck.isRevoked(failure(check.verify(token))));
    }

    @Test
    void sizeZeroVerifiesEveryTime() {
        VerifiedTokens off = new VerifiedTokens(0);
        JwtVerifier verifier = verifier(off);
        String token = keycloak.token(keycloak.claims("uncached-user"));
        assertEquals(
                "uncached-user", Http.await(verifier.verifyAccessToken(token)).subject());
        assertEquals(token, Http.await(verifier.verifyAccessToken(token)).token());
        assertEquals(0, off.size());
        assertNull(off.get(VerifiedTokens.key(token.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1), 0, 0));
    }

    private static Throwable failure(Future<?> f) {
        try {
            f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("expected a failure");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

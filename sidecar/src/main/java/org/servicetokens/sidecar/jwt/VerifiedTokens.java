package org.servicetokens.sidecar.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.util.Hashing;

/**
 * Access tokens already verified, one cache for the whole process (every verticle's {@link JwtVerifier} shares it),
 * kept until their {@code exp} plus the verifier's leeway: one RS256 check costs ~40 µs, a lookup here ~1 µs.
 * Thread-safe; bounded by {@code tokens.verified-cache-size} entries (least recently and least frequently used go
 * first); an entry leaves at its own expiry without any sweep. Only {@link JwtVerifier} adds entries, and only after
 * a token passed every check, so nothing an anonymous client sends can take a place here.
 *
 * <p>An entry is small: the key is a {@link Key} (SHA-256 of the whole token, its bytes as sent, and the version of
 * the realm key set that verified it), the value the token's {@link Identity} without the token, which each request
 * gets back from its own, byte-identical copy ({@link Identity#forToken}). SHA-256 covers the signature too: the same
 * payload with another signature, or a copied signature on another payload, is another key. A new key set makes
 * every older entry unreachable (they leave by age or size). Revocation is checked by the caller on every use, hits
 * included.
 */
public final class VerifiedTokens {

    /** Metrics name of the cache ({@code cache="verified_tokens"}). */
    public static final String NAME = "verified_tokens";

    private final Cache<Key, Identity> cache;
    private final Policy.VarExpiration<Key, Identity> expiration;

    /** @param maximumSize entries at most, for the whole process; 0 turns the cache off */
    public VerifiedTokens(int maximumSize) {
        // Upkeep (eviction, expiry) on the calling event loop, amortised by Caffeine in small batches: handing it to
        // the common pool woke a thread on another core for every drain, a context switch the hit path cannot afford.
        this(maximumSize, Ticker.systemTicker(), Runnable::run);
    }

    /** With a clock and an executor of its own upkeep: tests move time and run eviction on their thread. */
    VerifiedTokens(int maximumSize, Ticker ticker, Executor executor) {
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must be 0 (off) or more");
        }
        if (maximumSize == 0) {
            cache = null;
            expiration = null;
            return;
        }
        cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                // Each entry's lifetime is set when it is put (VarExpiration.put); reads and rewrites keep it.
                .expireAfter(new Expiry<Key, Identity>() {
                    @Override
                    public long expireAfterCreate(Key key, Identity value, long currentTime) {
                        // Only VarExpiration.put adds entries; one put any other way would not be kept at all.
                        return 0;
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Identity value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(Key key, Identity value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .ticker(ticker)
                .executor(executor)
                .recordStats()
                .build();
        expiration = cache.policy().expireVariably().orElseThrow();
    }

    /** Whether the cache is on ({@code tokens.verified-cache-size} > 0). */
    public boolean enabled() {
        return cache != null;
    }

    /**
     * The key of a token: SHA-256 of {@code tokenBytes} (the token's UTF-8 bytes, exactly as the request sent it)
     * with the key set's version. ~1 µs for a 1 KB token (measured; the JDK's SHA-256 runs on the CPU's SHA
     * instructions where there are some).
     */
    public static Key key(byte[] tokenBytes, long keySetVersion) {
        byte[] d = Hashing.sha256(tokenBytes);
        return new Key(longAt(d, 0), longAt(d, 8), longAt(d, 16), longAt(d, 24), keySetVersion);
    }

    /**
     * The identity verified for {@code key}, or null. An entry past {@code exp} + {@code leewaySeconds} at
     * {@code nowSeconds} (epoch seconds) is never returned, even before the cache's own clock removes it.
     */
    public Identity get(Key key, long nowSeconds, long leewaySeconds) {
        if (cache == null) {
            return null;
        }
        Identity id = cache.getIfPresent(key);
        if (id != null && nowSeconds > id.expiresAt() + leewaySeconds) {
            cache.invalidate(key);
            return null;
        }
        return id;
    }

    /**
     * Remembers a verified token's identity (kept without its token: {@code identity.token()} is null) until its
     * {@code exp} + {@code leewaySeconds}, counted from {@code nowSeconds} (epoch seconds). Only for tokens that passed
     * every check of {@link JwtVerifier#verifyAccessToken}.
     */
    public void put(Key key, Identity identity, long nowSeconds, long leewaySeconds) {
        long seconds = identity.expiresAt() + leewaySeconds - nowSeconds;
        if (cache != null && seconds > 0) {
            // Another event loop may have verified the same token meanwhile: either identity is as good.
            var unused = expiration.put(key, identity, seconds, TimeUnit.SECONDS);
        }
    }

    public void remove(Key key) {
        if (cache != null) {
            cache.invalidate(key);
        }
    }

    /** Entries now (an estimate while evictions are under way); 0 when off. */
    public long size() {
        return cache == null ? 0 : cache.estimatedSize();
    }

    /** Runs pending upkeep (eviction, expiry) now; for tests. */
    void cleanUp() {
        if (cache != null) {
            cache.cleanUp();
        }
    }

    /**
     * Registers the cache's meters ({@code cache_gets_total{result=hit|miss}}, {@code cache_size},
     * {@code cache_evictions_total}, … tagged {@code cache="verified_tokens"}); nothing when off.
     */
    public void monitor(MeterRegistry registry) {
        if (cache != null) {
            CaffeineCacheMetrics.monitor(registry, cache, NAME, List.of());
        }
    }

    private static long longAt(byte[] b, int i) {
        long v = 0;
        for (int j = i; j < i + 8; j++) {
            v = (v << 8) | (b[j] & 0xff);
        }
        return v;
    }

    /**
     * A token as a cache key: its SHA-256 (four longs) and the key-set version that verified it. 56 bytes instead of
     * the token's ~1 KB. The hash code is the digest's first bits: uniform, and no caller can choose it.
     */
    public static final class Key {

        private final long d0;
        private final long d1;
        private final long d2;
        private final long d3;
        private final long keySetVersion;

        Key(long d0, long d1, long d2, long d3, long keySetVersion) {
            this.d0 = d0;
            this.d1 = d1;
            this.d2 = d2;
            this.d3 = d3;
            this.keySetVersion = keySetVersion;
        }

        @Override
        public int hashCode() {
            return (int) d0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k
                    && k.d0 == d0
                    && k.d1 == d1
                    && k.d2 == d2
                    && k.d3 == d3
                    && k.keySetVersion == keySetVersion;
        }

        @Override
        public String toString() {
            // Never the digest: it identifies a bearer token.
            return "VerifiedTokens.Key[keySetVersion=" + keySetVersion + "]";
        }
    }
}

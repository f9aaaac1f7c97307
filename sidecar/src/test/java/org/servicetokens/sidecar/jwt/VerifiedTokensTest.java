package org.servicetokens.sidecar.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.support.TestKey;

/** The process-wide cache of verified tokens, on its own: keys, bound, expiry. */
class VerifiedTokensTest {

    private static final long NOW = 1_800_000_000L;
    private static final TestKey KEY = TestKey.rsa("k1");

    /** Caffeine's clock, moved by hand. */
    private static final class FakeTicker implements Ticker {
        final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advanceSeconds(long seconds) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
        }
    }

    private static VerifiedTokens cache(int size, FakeTicker ticker) {
        return new VerifiedTokens(size, ticker, Runnable::run);
    }

    private static Identity identity(String subject, long exp) {
        return new Identity(
                Identity.Type.USER, subject, null, null, "c", null, null, List.of(), Map.of(), List.of(), 0, exp, null);
    }

    private static String token(String subject) {
        return KEY.sign(
                new JsonObject().put("sub", subject).put("exp", NOW + 300).put("typ", "Bearer"));
    }

    private static VerifiedTokens.Key key(String token) {
        return VerifiedTokens.key(token.getBytes(StandardCharsets.UTF_8), 1);
    }

    @Test
    void aVerifiedTokenHitsUntilItsExpiryPlusLeeway() {
        FakeTicker ticker = new FakeTicker();
        VerifiedTokens cache = cache(10, ticker);
        String token = token("alice");
        Identity alice = identity("alice", NOW + 100);
        cache.put(key(token), alice, NOW, 30);
        assertSame(alice, cache.get(key(new String(token)), NOW, 30), "a fresh String of the same token hits");

        ticker.advanceSeconds(129);
        assertSame(alice, cache.get(key(token), NOW + 129, 30));
        ticker.advanceSeconds(2);
        cache.cleanUp();
        assertEquals(0, cache.size(), "gone at exp + leeway by the cache's own clock, without a sweep");
        assertNull(cache.get(key(token), NOW + 131, 30));
    }

    @Test
    void theWallClockWinsOverTheCachesClock() {
        VerifiedTokens cache = cache(10, new FakeTicker());
        String token = token("alice");
        cache.put(key(token), identity("alice", NOW + 100), NOW, 30);
        assertNull(cache.get(key(token), NOW + 131, 30), "past exp + leeway by the clock the verifier uses");
    }

    @Test
    void anExpiredTokenIsNeverStored() {
        VerifiedTokens cache = cache(10, new FakeTicker());
        String token = token("alice");
        cache.put(key(token), identity("alice", NOW - 31), NOW, 30);
        assertNull(cache.get(key(token), NOW - 40, 30));
        assertEquals(0, cache.size());
    }

    @Test
    void aTokenDifferingInOneCharacterNeverHits() {
        VerifiedTokens cache = cache(10, new FakeTicker());
        String token = token("alice");
        cache.put(key(token), identity("alice", NOW + 100), NOW, 30);
        String[] parts = token.split("\\.");
        List<String> others = new ArrayList<>();
        // One character of the payload, one of the signature (first, middle, last), in and out of ASCII.
        others.add(parts[0] + "." + flip(parts[1], 3) + "." + parts[2]);
        others.add(parts[0] + "." + parts[1] + "." + flip(parts[2], 0));
        others.add(parts[0] + "." + parts[1] + "." + flip(parts[2], parts[2].length() / 2));
        others.add(parts[0] + "." + parts[1] + "." + flip(parts[2], parts[2].length() - 1));
        others.add(token.substring(0, 10) + (char) (token.charAt(10) + 0x100) + token.substring(11));
        others.add(token + "A");
        others.add(token.substring(0, token.length() - 1));
        // A copied signature on another payload: the signature alone is never the key.
        others.add(parts[0] + "." + token("mallory").split("\\.")[1] + "." + parts[2]);
        for (String other : others) {
            assertNull(cache.get(key(other), NOW, 30), other);
        }
        assertNotNull(cache.get(key(token), NOW, 30));
    }

    private static String flip(String s, int i) {
        char c = s.charAt(i);
        return s.substring(0, i) + (c == 'A' ? 'B' : 'A') + s.substring(i + 1);
    }

    @Test
    void aTokenVerifiedWithAnotherKeySetMisses() {
        VerifiedTokens cache = cache(10, new FakeTicker());
        String token = token("alice");
        cache.put(key(token), identity("alice", NOW + 100), NOW, 30);
        assertNull(cache.get(VerifiedTokens.key(token.getBytes(StandardCharsets.UTF_8), 2), NOW, 30));
    }

    @Test
    void forgottenTokensAreGone() {
        VerifiedTokens cache = cache(10, new FakeTicker());
        String token = token("alice");
        cache.put(key(token), identity("alice", NOW + 100), NOW, 30);
        cache.remove(key(token));
        assertNull(cache.get(key(token), NOW, 30));
    }

    @Test
    void theBoundHolds() {
        VerifiedTokens cache = cache(100, new FakeTicker());
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tokens.add("h.p" + i + ".s");
            cache.put(key(tokens.get(i)), identity("s" + i, NOW + 100), NOW, 30);
        }
        cache.cleanUp();
        assertEquals(100, cache.size());
        long hits =
                tokens.stream().filter(t -> cache.get(key(t), NOW, 30) != null).count();
        assertEquals(100, hits);
    }

    @Test
    void oneCacheForEveryThread() throws Exception {
        VerifiedTokens cache = new VerifiedTokens(10_000);
        int perThread = 2_000;
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perThread; i++) {
                    String token = "h.t" + thread + "p" + i + ".s";
                    cache.put(key(token), identity(token, NOW + 100), NOW, 30);
                }
            }));
        }
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // Read on another thread: every entry written by the four is there, under its own token.
        CompletableFuture.runAsync(() -> {
                    for (int t = 0; t < 4; t++) {
                        for (int i = 0; i < perThread; i++) {
                            String token = "h.t" + t + "p" + i + ".s";
                            Identity id = cache.get(key(token), NOW, 30);
                            assertNotNull(id, token);
                            assertEquals(token, id.subject());
                        }
                    }
                })
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void sizeZeroIsOff() {
        VerifiedTokens cache = new VerifiedTokens(0);
        assertFalse(cache.enabled());
        String token = token("alice");
        cache.put(key(token), identity("alice", NOW + 100), NOW, 30);
        assertNull(cache.get(key(token), NOW, 30));
        assertEquals(0, cache.size());
        assertTrue(new VerifiedTokens(1).enabled());
        assertThrows(IllegalArgumentException.class, () -> new VerifiedTokens(-1));
    }

    @Test
    void aKeyNamesNoDigest() {
        assertEquals("VerifiedTokens.Key[keySetVersion=1]", key(token("alice")).toString());
    }
}

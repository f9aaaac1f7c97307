package org.servicetokens.sidecar.revocation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.identity.Identity;

/** The "not revoked as of generation N" memo must never hide a revocation, whoever writes it. */
class RevocationStoreTest {

    static DefaultCacheManager manager;
    static Cache<String, String> cache;

    @BeforeAll
    static void start() {
        manager = new DefaultCacheManager(
                new GlobalConfigurationBuilder().nonClusteredDefault().build());
        manager.defineConfiguration("revocations", new ConfigurationBuilder().build());
        cache = manager.getCache("revocations");
    }

    @AfterAll
    static void stop() {
        manager.stop();
    }

    private static Identity identity(String subject, long issuedAt) {
        return new Identity(
                Identity.Type.SERVICE,
                subject,
                null,
                null,
                "c",
                null,
                null,
                List.of(),
                Map.of(),
                List.of(),
                issuedAt,
                issuedAt + 300,
                "t");
    }

    @Test
    void aRevocationAfterTheMemoIsSeen() {
        RevocationStore store = new RevocationStore(cache, Duration.ofMinutes(5));
        long now = System.currentTimeMillis() / 1000;
        Identity id = identity("memo-sub", now - 10);
        assertFalse(store.isRevoked(id));
        assertFalse(store.isRevoked(id), "memoised");
        store.revokeSubject("memo-sub", now);
        assertTrue(store.isRevoked(id));
        assertFalse(store.isRevoked(identity("memo-sub", now + 1)), "issued after the cut-off");
    }

    @Test
    void aRecordWrittenStraightIntoTheCacheIsSeenToo() {
        // As a record replicated from another replica arrives: not through this store's own revokeSubject.
        RevocationStore store = new RevocationStore(cache, Duration.ofMinutes(5));
        long now = System.currentTimeMillis() / 1000;
        Identity id = identity("replicated-sub", now - 10);
        assertFalse(store.isRevoked(id));
        cache.put("sub:replicated-sub", Long.toString(now), 5, TimeUnit.MINUTES);
        assertTrue(store.isRevoked(id));
    }

    private static Identity minted(String subject, String secretId, long issuedAt) {
        return new Identity(
                Identity.Type.SERVICE,
                subject,
                null,
                null,
                "c",
                "token-id",
                "n",
                secretId,
                List.of(),
                Map.of(),
                List.of(),
                issuedAt,
                issuedAt + 300,
                null,
                "t");
    }

    @Test
    void aSecretRevocationHitsOnlyThatSecretsJwtsAndFailsClosedForJwtsNamingNone() {
        RevocationStore store = new RevocationStore(cache, Duration.ofMinutes(5));
        long change = System.currentTimeMillis() / 1000;
        Identity old = minted("rotated-sub", "old", change - 100);
        Identity current = minted("rotated-sub", "new", change - 100);
        Identity unnamedAtTheChange = minted("rotated-sub", null, change);
        assertFalse(store.isRevoked(old));
        assertFalse(store.isRevoked(current));
        store.revokeSecrets("rotated-sub", List.of("old"), change);
        assertTrue(store.isRevoked(old), "seen through the memo");
        assertTrue(store.isRevoked(minted("rotated-sub", "old", change + 3600)), "whenever it was issued");
        assertFalse(store.isRevoked(current), "the current secret's JWT, issued before the change");
        assertFalse(store.isRevoked(minted("rotated-sub", "new", change)), "and in its second");
        assertTrue(store.isRevoked(unnamedAtTheChange), "naming no secret, issued in the change's second");
        assertFalse(store.isRevoked(minted("rotated-sub", null, change + 1)), "naming none, issued after");
        assertFalse(store.isRevoked(minted("someone-else", "old", change - 100)), "another subject's secret id");
    }
}

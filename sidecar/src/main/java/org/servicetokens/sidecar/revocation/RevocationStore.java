package org.servicetokens.sidecar.revocation;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.DataRehashed;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.Event;
import org.servicetokens.sidecar.identity.Identity;

/**
 * Revocation records in the shared revocations cache, consulted on every authenticated request, cache hits included.
 * Three kinds, each naming exactly what it revokes:
 * <ul>
 *   <li>{@code sub:<sub>} = T: every token of the subject issued before T (exclusive; whole seconds). A token without
 *       {@code iat} cannot prove it is newer and counts as revoked. Keycloak's own logouts and a service token's
 *       delete, disable or removal from this app.</li>
 *   <li>{@code secret:<sub>|<secret id>}: every service-token JWT of the subject whose {@code service_token.secret}
 *       names that secret, whenever it was issued (no new one can be: the secret is retired). Rotation and the end
 *       of a grace period; JWTs minted with the current secret name another secret and are untouched.</li>
 *   <li>{@code unnamed:<sub>} = T: written with every per-secret record. A JWT of the subject that names no secret
 *       (minted before the claim existed, or by a client without the claims mapper) cannot show it was minted with
 *       the current secret, so it fails closed: revoked if issued before T, i.e. at or before the change's second.
 *       A JWT issued after the change cannot have come from the retired secret, which Keycloak already refuses.</li>
 *   <li>{@code sid:<sid>}: Keycloak's back-channel logout of an SSO session: a token whose {@code sid} names it is
 *       over, even when the logout token named only the sid.</li>
 * </ul>
 *
 * <p>Revocations are rare and requests are many, so a cache read per request is skipped when nothing can have
 * changed: a generation counter moves before any record is written here, before a record from another replica
 * is applied (a synchronous listener's pre-event), and on any topology change; an identity found not revoked
 * remembers the generation it was checked at, read <em>before</em> its lookup, and is looked up again only once
 * the generation has moved. A revocation is therefore never missed: either the lookup saw the record, or the
 * generation moved after it was read.
 */
public final class RevocationStore {

    private final Cache<String, String> cache;
    private final long retentionMs;
    private final AtomicLong generation = new AtomicLong();

    public RevocationStore(Cache<String, String> cache, Duration retention) {
        this.cache = cache;
        this.retentionMs = retention.toMillis();
        cache.addListener(new GenerationListener());
    }

    public void revokeSubject(String subject, long cutoffEpochSeconds) {
        record("sub:" + subject, cutoffEpochSeconds);
    }

    /**
     * Revokes the subject's JWTs minted with the given secrets (any issue time), and its JWTs that name no secret
     * issued at or before {@code changeEpochSeconds} (fail closed, see the class comment). Blocking when clustered.
     */
    public void revokeSecrets(String subject, Collection<String> secretIds, long changeEpochSeconds) {
        record("unnamed:" + subject, changeEpochSeconds + 1);
        for (String secretId : secretIds) {
            record(secretKey(subject, secretId), changeEpochSeconds);
        }
    }

    /** Sessions are revoked by {@code sid} (Keycloak's own back-channel logout); read by the login flow. */
    public void revokeSession(String sid, long cutoffEpochSeconds) {
        record("sid:" + sid, cutoffEpochSeconds);
    }

    public boolean isRevoked(Identity identity) {
        long seen = generation.get();
        if (identity.notRevokedAsOf() == seen) {
            return false;
        }
        String subject = identity.subject();
        boolean revoked = subject != null
                        && (before("sub:" + subject, identity.issuedAt())
                                || (identity.secretId() != null
                                        ? cache.containsKey(secretKey(subject, identity.secretId()))
                                        : before("unnamed:" + subject, identity.issuedAt())))
                || isSessionEnded(identity.sessionId());
        if (!revoked) {
            identity.markNotRevokedAsOf(seen);
        }
        return revoked;
    }

    public boolean isSessionRevoked(String sid, long issuedAt) {
        return sid != null && before("sid:" + sid, issuedAt);
    }

    /**
     * Whether Keycloak logged SSO session {@code sid} out. Absolute, unlike the per-token cut-offs: Keycloak never
     * issues tokens for a session after ending it, so any record means the browser session is over (a token
     * issued in the logout's own second included).
     */
    public boolean isSessionEnded(String sid) {
        return sid != null && cache.get("sid:" + sid) != null;
    }

    private static String secretKey(String subject, String secretId) {
        return "secret:" + subject + '|' + secretId;
    }

    private boolean before(String key, long issuedAt) {
        String cutoff = cache.get(key);
        return cutoff != null && (issuedAt <= 0 || issuedAt < Long.parseLong(cutoff));
    }

    /**
     * Keeps the latest cut-off when several arrive (replays, reordering). A compare-and-set loop rather than
     * {@code merge}: clustered, a merge function would have to be marshalled to the key's owner. Blocking when
     * clustered (the write waits for every replica): call it off the event loop.
     */
    private void record(String key, long cutoff) {
        generation.incrementAndGet();
        String value = Long.toString(cutoff);
        while (true) {
            String old = cache.putIfAbsent(key, value, retentionMs, TimeUnit.MILLISECONDS);
            if (old == null
                    || Long.parseLong(old) >= cutoff
                    || cache.replace(key, old, value, retentionMs, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    /** Sync, so the pre-event runs before a replicated record becomes readable here. */
    @Listener(sync = true)
    public final class GenerationListener {

        @CacheEntryCreated
        @CacheEntryModified
        @TopologyChanged
        @DataRehashed
        public void changed(Event<String, String> event) {
            generation.incrementAndGet();
        }
    }
}

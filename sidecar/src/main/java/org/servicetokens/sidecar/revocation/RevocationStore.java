package org.servicetokens.sidecar.revocation;

import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.DataRehashed;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.Event;
import org.servicetokens.sidecar.identity.Identity;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * "Subject (or session) revoked before T" records, in the shared revocations cache. A token is revoked when its
 * {@code iat} is before its subject's cut-off, or when its {@code sid} names a session Keycloak logged out; a token
 * without {@code iat} cannot prove it is newer and counts as revoked (the verifier refuses such tokens anyway).
 * Consulted on every authenticated request, cache hits included.
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

  /** Sessions are revoked by {@code sid} (Keycloak's own back-channel logout); read by the login flow. */
  public void revokeSession(String sid, long cutoffEpochSeconds) {
    record("sid:" + sid, cutoffEpochSeconds);
  }

  public boolean isRevoked(Identity identity) {
    long seen = generation.get();
    if (identity.notRevokedAsOf() == seen) {
      return false;
    }
    // By subject (service tokens, and Keycloak's logout tokens name the user) and by SSO session: a bearer token
    // of a session Keycloak logged out is over even when the logout token named only the sid.
    boolean revoked = identity.subject() != null && before("sub:" + identity.subject(), identity.issuedAt())
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
      if (old == null || Long.parseLong(old) >= cutoff
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

package org.servicetokens.sidecar.revocation;

import org.infinispan.Cache;
import org.servicetokens.sidecar.identity.Identity;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * "Subject (or session) revoked before T" records, in the shared revocations cache (DESIGN §2). A token is
 * revoked when its {@code iat} is before the cut-off; a token without {@code iat} cannot prove it is newer
 * and counts as revoked. Consulted on every authenticated request, cache hits included; a local (or, once
 * clustered, replicated) cache read.
 */
public final class RevocationStore {

  private final Cache<String, String> cache;
  private final long retentionMs;

  public RevocationStore(Cache<String, String> cache, Duration retention) {
    this.cache = cache;
    this.retentionMs = retention.toMillis();
  }

  public void revokeSubject(String subject, long cutoffEpochSeconds) {
    record("sub:" + subject, cutoffEpochSeconds);
  }

  /** Sessions are revoked by {@code sid} (Keycloak's own back-channel logout); read by the login flow. */
  public void revokeSession(String sid, long cutoffEpochSeconds) {
    record("sid:" + sid, cutoffEpochSeconds);
  }

  public boolean isRevoked(Identity identity) {
    return identity.subject() != null && before("sub:" + identity.subject(), identity.issuedAt());
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
    String value = Long.toString(cutoff);
    while (true) {
      String old = cache.putIfAbsent(key, value, retentionMs, TimeUnit.MILLISECONDS);
      if (old == null || Long.parseLong(old) >= cutoff
          || cache.replace(key, old, value, retentionMs, TimeUnit.MILLISECONDS)) {
        return;
      }
    }
  }
}

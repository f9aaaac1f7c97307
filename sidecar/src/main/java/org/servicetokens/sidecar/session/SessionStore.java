package org.servicetokens.sidecar.session;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.infinispan.Cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Browser sessions in the shared sessions cache, so any replica of a cluster serves any browser. Only a completed
 * login writes here (pending logins live in the browser, {@link PendingLogins}), so nothing an anonymous client
 * sends can evict or crowd out a session. Uses Infinispan's asynchronous calls: a clustered write waits for the
 * network, and that wait must not sit on an event loop. Completions come back on the caller's context.
 */
public final class SessionStore {

  /** Sessions whose refresh token has no stated end (offline-like) are still dropped after this long. */
  private static final Duration UNBOUNDED_SESSION_CAP = Duration.ofHours(12);
  /** Kept a little past the refresh token's end, so a last refresh attempt finds the record and ends it cleanly. */
  private static final long SLACK_SECONDS = 60;

  private final Cache<String, String> cache;

  public SessionStore(Cache<String, String> cache) {
    this.cache = cache;
  }

  /** The session, or null when unknown, expired or not decryptable with this id. */
  public Future<SessionRecord> load(String sessionId) {
    return on(cache.getAsync(SessionCipher.cacheKey(sessionId))).map(sealed -> {
      if (sealed == null) {
        return null;
      }
      String json = SessionCipher.decrypt(sessionId, sealed);
      try {
        return json == null ? null : SessionRecord.fromJson(new JsonObject(json));
      } catch (RuntimeException corrupt) {
        return null;
      }
    });
  }

  public Future<Void> save(String sessionId, SessionRecord session) {
    long now = System.currentTimeMillis() / 1000;
    long lifespan = session.refreshExpiresAt() > 0
        ? Math.max(1, session.refreshExpiresAt() - now) + SLACK_SECONDS
        : UNBOUNDED_SESSION_CAP.toSeconds();
    String sealed = SessionCipher.encrypt(sessionId, session.toJson().encode());
    return on(cache.putAsync(SessionCipher.cacheKey(sessionId), sealed, lifespan, TimeUnit.SECONDS)).mapEmpty();
  }

  public Future<Void> delete(String sessionId) {
    return on(cache.removeAsync(SessionCipher.cacheKey(sessionId))).mapEmpty();
  }

  static String hash(String value) {
    return HexFormat.of().formatHex(Pkce.sha256(value.getBytes(StandardCharsets.US_ASCII)));
  }

  private static <T> Future<T> on(CompletionStage<T> stage) {
    Context context = Vertx.currentContext();
    return context == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, context);
  }
}

package org.servicetokens.sidecar.session;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.util.Hashing;

/**
 * Browser sessions in the shared sessions cache, so any replica of a cluster serves any browser. Only a completed
 * login writes here (pending logins live in the browser, the login flow's {@code PendingLogins}), so nothing an anonymous client
 * sends can evict or crowd out a session. Uses Infinispan's asynchronous calls: a clustered write waits for the
 * network, and that wait must not sit on an event loop. Completions come back on the caller's context.
 *
 * <p>Per-subject cap: a second replicated cache maps the hash of each subject ({@code sub}) to that subject's session
 * cache keys, oldest first, comma-separated. {@link #create} appends the new session there with a compare-and-set
 * loop (so concurrent logins on different replicas cannot both slip past the cap), drops keys whose session is
 * gone, and ends the oldest sessions beyond {@code maxPerSubject}, as Keycloak's "terminate oldest session" user
 * session limit does. One subject logging in again and again therefore only ever crowds out its own sessions,
 * never evicts other users' from the bounded sessions cache.
 */
public final class SessionStore {

    /** Sessions whose refresh token has no stated end (offline-like) are still dropped after this long. */
    private static final Duration UNBOUNDED_SESSION_CAP = Duration.ofHours(12);
    /** Kept a little past the refresh token's end, so a last refresh attempt finds the record and ends it cleanly. */
    private static final long SLACK_SECONDS = 60;

    /** Compare-and-set attempts on a subject's index before the login is refused as temporarily unavailable. */
    private static final int MAX_INDEX_ATTEMPTS = 16;

    private final Cache<String, String> cache;
    private final Cache<String, String> subjects;
    private final int maxPerSubject;

    /**
     * @param cache         the sessions cache (sealed records under {@link SessionCipher#cacheKey})
     * @param subjects      the per-subject index cache (subject hash to session cache keys, oldest first)
     * @param maxPerSubject sessions one subject may hold at once, 1 to {@value SidecarConfig.Sessions#MAX_PER_SUBJECT_LIMIT}
     */
    public SessionStore(Cache<String, String> cache, Cache<String, String> subjects, int maxPerSubject) {
        this.cache = cache;
        this.subjects = subjects;
        this.maxPerSubject = maxPerSubject;
    }

    /**
     * Stores a new session and counts it against its subject; when the subject then holds more than
     * {@code maxPerSubject} sessions its oldest ones are deleted. Fails with {@link AuthenticationFailure}
     * {@code missing_subject} for a record without subject, and with an unavailable {@code session_index_busy}
     * (the new session removed again) when the subject's index kept changing under us.
     */
    public Future<Void> create(String sessionId, SessionRecord session) {
        if (session.subject() == null) {
            return Future.failedFuture(AuthenticationFailure.rejected("missing_subject"));
        }
        String sessionKey = SessionCipher.cacheKey(sessionId);
        String indexKey = hash("sidecar-subject|" + session.subject());
        return save(sessionId, session)
                .compose(v -> register(indexKey, sessionKey, 1)
                        .recover(err -> on(cache.removeAsync(sessionKey)).transform(r -> Future.failedFuture(err))))
                .compose(ended -> {
                    List<Future<?>> removals = new ArrayList<>();
                    for (String key : ended) {
                        removals.add(on(cache.removeAsync(key)));
                    }
                    return Future.all(removals).mapEmpty();
                });
    }

    /** Appends {@code sessionKey} to the subject's index; the session keys that fell out (oldest first). */
    private Future<List<String>> register(String indexKey, String sessionKey, int attempt) {
        return on(subjects.getAsync(indexKey))
                .compose(current -> live(current).compose(kept -> {
                    List<String> next = new ArrayList<>(kept);
                    next.add(sessionKey);
                    List<String> ended = new ArrayList<>();
                    while (next.size() > maxPerSubject) {
                        ended.add(next.remove(0));
                    }
                    String value = String.join(",", next);
                    CompletionStage<Boolean> written = current == null
                            ? subjects.putIfAbsentAsync(indexKey, value).thenApply(Objects::isNull)
                            : subjects.replaceAsync(indexKey, current, value);
                    return on(written).compose(ok -> {
                        if (ok) {
                            return Future.succeededFuture(ended);
                        }
                        return attempt < MAX_INDEX_ATTEMPTS
                                ? register(indexKey, sessionKey, attempt + 1)
                                : Future.failedFuture(AuthenticationFailure.unavailable("session_index_busy", 5));
                    });
                }));
    }

    /** The index's session keys whose session still exists (logged out, expired or evicted ones drop out). */
    private Future<List<String>> live(String index) {
        if (index == null || index.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        String[] keys = index.split(",");
        List<Future<Boolean>> checks = new ArrayList<>(keys.length);
        for (String key : keys) {
            checks.add(on(cache.containsKeyAsync(key)));
        }
        return Future.all(checks).map(all -> {
            List<String> kept = new ArrayList<>(keys.length);
            for (int i = 0; i < keys.length; i++) {
                if (Boolean.TRUE.equals(checks.get(i).result())) {
                    kept.add(keys[i]);
                }
            }
            return kept;
        });
    }

    /** The session, or null when unknown, expired or not decryptable with this id. */
    public Future<SessionRecord> load(String sessionId) {
        return on(cache.getAsync(SessionCipher.cacheKey(sessionId))).map(ciphertext -> {
            if (ciphertext == null) {
                return null;
            }
            String json = SessionCipher.decrypt(sessionId, ciphertext);
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
        return on(cache.putAsync(SessionCipher.cacheKey(sessionId), sealed, lifespan, TimeUnit.SECONDS))
                .mapEmpty();
    }

    public Future<Void> delete(String sessionId) {
        return on(cache.removeAsync(SessionCipher.cacheKey(sessionId))).mapEmpty();
    }

    static String hash(String value) {
        return HexFormat.of().formatHex(Hashing.sha256(value.getBytes(StandardCharsets.US_ASCII)));
    }

    private static <T> Future<T> on(CompletionStage<T> stage) {
        Context context = Vertx.currentContext();
        return context == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, context);
    }
}

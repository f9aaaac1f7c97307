package org.servicetokens.sidecar.session;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.keycloak.TokenEndpoint;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.util.Contexts;

/**
 * Refreshes a session's tokens, one call per session at a time (process-wide, across event loops): a page that
 * fires twenty requests while its access token nears expiry causes one refresh, and all twenty continue with
 * its result. That is the oauth2-proxy failure this prevents: parallel refreshes with one refresh token, the
 * losers logged out. Across replicas, a refresh refused because another replica already used the refresh
 * token (realms that rotate them) is recognised by re-reading the shared record before giving up.
 */
public final class SessionRefresher {

    private final SessionStore store;
    private final TokenEndpoint tokens;
    private final Map<String, Future<SessionRecord>> inflight = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();
    private final SidecarMetrics metrics;

    public SessionRefresher(SessionStore store, TokenEndpoint tokens, SidecarMetrics metrics) {
        this.store = store;
        this.tokens = tokens;
        this.metrics = metrics;
    }

    /** Calls to Keycloak's token endpoint made for refreshes (for tests and metrics). */
    public long calls() {
        return calls.get();
    }

    /**
     * A fresher record than {@code seen}. Fails with {@link AuthenticationFailure}: {@code session_ended} when Keycloak
     * refused (the record is deleted), {@code unavailable} when Keycloak could not be asked (the record is kept).
     */
    public Future<SessionRecord> refresh(String sessionId, SessionRecord seen) {
        String key = SessionCipher.cacheKey(sessionId);
        Context context = Vertx.currentContext();
        Future<SessionRecord> existing = inflight.get(key);
        if (existing == null) {
            Promise<SessionRecord> promise = Promise.promise();
            existing = inflight.putIfAbsent(key, promise.future());
            if (existing == null) {
                doRefresh(sessionId, seen).onComplete(ar -> {
                    inflight.remove(key);
                    promise.handle(ar);
                });
                existing = promise.future();
            }
        }
        return context == null ? existing : Contexts.on(context, existing);
    }

    private Future<SessionRecord> doRefresh(String sessionId, SessionRecord seen) {
        return store.load(sessionId).compose(current -> {
            if (current == null) {
                return Future.failedFuture(AuthenticationFailure.rejected("session_expired"));
            }
            if (current.accessExpiresAt() > seen.accessExpiresAt()) {
                return Future.succeededFuture(current); // another request or replica refreshed meanwhile
            }
            calls.incrementAndGet();
            return tokens.refresh(current.refreshToken()).transform(ar -> {
                metrics.sessionRefresh(
                        ar.succeeded()
                                ? "success"
                                : ar.cause() instanceof AuthenticationFailure r && r.unavailable()
                                        ? "unavailable"
                                        : "rejected");
                if (ar.succeeded()) {
                    TokenEndpoint.Grant g = ar.result();
                    long now = System.currentTimeMillis() / 1000;
                    SessionRecord next = current.refreshed(
                            g.accessToken(),
                            g.refreshToken(),
                            g.idToken(),
                            now + g.expiresIn(),
                            g.refreshExpiresIn() > 0 ? now + g.refreshExpiresIn() : 0);
                    return store.save(sessionId, next).map(next);
                }
                if (ar.cause() instanceof AuthenticationFailure r && r.unavailable()) {
                    return Future.failedFuture(r);
                }
                return store.load(sessionId).compose(again -> {
                    if (again != null && !again.refreshToken().equals(current.refreshToken())) {
                        return Future.succeededFuture(again);
                    }
                    return store.delete(sessionId)
                            .transform(v -> Future.failedFuture(AuthenticationFailure.rejected("session_ended")));
                });
            });
        });
    }
}

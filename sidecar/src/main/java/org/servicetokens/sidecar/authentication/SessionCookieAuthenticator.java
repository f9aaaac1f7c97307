package org.servicetokens.sidecar.authentication;

import io.vertx.core.Future;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.revocation.RevocationStore;
import org.servicetokens.sidecar.session.SessionCookies;
import org.servicetokens.sidecar.session.SessionRecord;
import org.servicetokens.sidecar.session.SessionRefresher;
import org.servicetokens.sidecar.session.SessionStore;

/**
 * Browser session cookie → verified identity, for one verticle (it uses that verticle's {@link AccessTokenCheck}).
 * The session's access token is verified like any bearer token; shortly before it expires, or when a subject-wide
 * revocation caught it, the tokens are refreshed (single flight, {@link SessionRefresher}). Keycloak ending the
 * SSO session (back-channel logout with its {@code sid}, seen through the shared revocations) ends this one.
 * If Keycloak cannot be reached for a refresh, a still-valid access token keeps working until its exp.
 *
 * <p>Fails with {@link AuthenticationFailure}: 503 when Keycloak or the session store cannot answer now; otherwise
 * {@link AuthenticationFailure#sessionEnded} (the session is over: its cookie is cleared, and a browser navigation
 * logs in again).
 */
public final class SessionCookieAuthenticator implements Authenticator {

    private final AccessTokenCheck check;
    private final SessionStore store;
    private final SessionRefresher refresher;
    private final RevocationStore revocations;
    private final SessionCookies cookies;
    private final long refreshBeforeSeconds;

    public SessionCookieAuthenticator(
            AccessTokenCheck check,
            SessionStore store,
            SessionRefresher refresher,
            RevocationStore revocations,
            SessionCookies cookies,
            long refreshBeforeSeconds) {
        this.check = check;
        this.store = store;
        this.refresher = refresher;
        this.revocations = revocations;
        this.cookies = cookies;
        this.refreshBeforeSeconds = refreshBeforeSeconds;
    }

    @Override
    public boolean recognises(Credential credential) {
        return credential instanceof Credential.Session;
    }

    @Override
    public Future<Identity> authenticate(Credential credential) {
        return authenticate(((Credential.Session) credential).sessionId())
                .recover(err -> Future.failedFuture(
                        err instanceof AuthenticationFailure f && !f.unavailable()
                                ? AuthenticationFailure.sessionEnded(f.reason(), cookies.clearSession())
                                : err));
    }

    private Future<Identity> authenticate(String sessionId) {
        return store.load(sessionId).compose(session -> {
            if (session == null) {
                return Future.failedFuture(AuthenticationFailure.rejected("session_expired"));
            }
            if (revocations.isSessionEnded(session.keycloakSession())) {
                return store.delete(sessionId)
                        .transform(v -> Future.failedFuture(AuthenticationFailure.rejected("session_revoked")));
            }
            long now = System.currentTimeMillis() / 1000;
            if (session.accessExpiresAt() - now <= refreshBeforeSeconds) {
                return refreshThenVerify(sessionId, session, now);
            }
            return check.verify(session.accessToken()).recover(err -> {
                if (err instanceof AuthenticationFailure r && r.unavailable()) {
                    return Future.failedFuture(err);
                }
                // Revoked for its subject (another of the user's sessions was logged out), or rejected for its times:
                // Keycloak decides with a refresh whether this session still lives.
                return refreshThenVerify(sessionId, session, now);
            });
        });
    }

    private Future<Identity> refreshThenVerify(String sessionId, SessionRecord session, long now) {
        return refresher
                .refresh(sessionId, session)
                .recover(err -> {
                    boolean keepOld = err instanceof AuthenticationFailure r
                            && r.unavailable()
                            && session.accessExpiresAt() > now;
                    return keepOld ? Future.succeededFuture(session) : Future.failedFuture(err);
                })
                .compose(fresh -> revocations.isSessionEnded(fresh.keycloakSession())
                        ? Future.failedFuture(AuthenticationFailure.rejected("session_revoked"))
                        : check.verify(fresh.accessToken()));
    }
}

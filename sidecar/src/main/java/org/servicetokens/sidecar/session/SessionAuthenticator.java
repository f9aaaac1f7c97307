package org.servicetokens.sidecar.session;

import io.vertx.core.Future;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.jwt.TokenRejected;
import org.servicetokens.sidecar.revocation.RevocationStore;

/**
 * Session cookie → verified identity, for one verticle (it uses that verticle's {@link JwtVerifier}). The
 * session's access token is verified like any bearer token; shortly before it expires, or when a subject-wide
 * revocation caught it, the tokens are refreshed (single flight, {@link SessionRefresher}). Keycloak ending the
 * SSO session (back-channel logout with its {@code sid}, seen through the shared revocations) ends this one.
 * If Keycloak cannot be reached for a refresh, a still-valid access token keeps working until its exp.
 */
public final class SessionAuthenticator {

  private final JwtVerifier verifier;
  private final SessionStore store;
  private final SessionRefresher refresher;
  private final RevocationStore revocations;
  private final long refreshBeforeSeconds;

  public SessionAuthenticator(JwtVerifier verifier, SessionStore store, SessionRefresher refresher,
                              RevocationStore revocations, long refreshBeforeSeconds) {
    this.verifier = verifier;
    this.store = store;
    this.refresher = refresher;
    this.revocations = revocations;
    this.refreshBeforeSeconds = refreshBeforeSeconds;
  }

  /** Fails with {@link TokenRejected}: unavailable → 503, anything else means "no valid session". */
  public Future<Identity> authenticate(String sessionId) {
    return store.load(sessionId).compose(session -> {
      if (session == null) {
        return Future.failedFuture(new TokenRejected("session_expired"));
      }
      if (revocations.isSessionEnded(session.keycloakSession())) {
        return store.delete(sessionId).transform(v -> Future.failedFuture(new TokenRejected("session_revoked")));
      }
      long now = System.currentTimeMillis() / 1000;
      if (session.accessExpiresAt() - now <= refreshBeforeSeconds) {
        return refreshThenVerify(sessionId, session, now);
      }
      return verify(session.accessToken()).recover(err -> {
        if (err instanceof TokenRejected r && r.unavailable()) {
          return Future.failedFuture(err);
        }
        // Revoked for its subject (another of the user's sessions was logged out), or rejected for its times:
        // Keycloak decides with a refresh whether this session still lives.
        return refreshThenVerify(sessionId, session, now);
      });
    });
  }

  private Future<Identity> refreshThenVerify(String sessionId, SessionRecord session, long now) {
    return refresher.refresh(sessionId, session)
        .recover(err -> {
          boolean keepOld = err instanceof TokenRejected r && r.unavailable() && session.accessExpiresAt() > now;
          return keepOld ? Future.succeededFuture(session) : Future.failedFuture(err);
        })
        .compose(fresh -> revocations.isSessionEnded(fresh.keycloakSession())
            ? Future.failedFuture(new TokenRejected("session_revoked"))
            : verify(fresh.accessToken()));
  }

  private Future<Identity> verify(String accessToken) {
    return verifier.verifyAccessToken(accessToken).compose(id -> {
      if (revocations.isRevoked(id)) {
        verifier.forget(accessToken);
        return Future.failedFuture(new TokenRejected("revoked"));
      }
      return Future.succeededFuture(id);
    });
  }
}

package org.servicetokens.sidecar.session;

import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.jwt.OidcProvider;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/** The process-wide parts of human login, shared by every verticle (the refresher's single flight must be). */
public record SessionServices(SessionStore store, SessionRefresher refresher, KeycloakTokens tokens,
                              SessionCookies cookies, PendingLogins logins) {

  public static SessionServices create(SidecarConfig config, OidcProvider provider, SidecarCaches caches,
                                       SidecarMetrics metrics) {
    SessionStore store = new SessionStore(caches.sessions(), caches.sessionSubjects(), config.sessions.maxPerSubject);
    KeycloakTokens tokens = new KeycloakTokens(provider, config.app.clientId, config.app.clientSecret, config.keycloak.timeout);
    SessionCookies cookies = new SessionCookies(config.cookies.name, config.cookies.secure);
    return new SessionServices(store, new SessionRefresher(store, tokens, metrics), tokens, cookies,
        new PendingLogins(cookies, caches.loginCookieKey(), config.login.timeout));
  }
}

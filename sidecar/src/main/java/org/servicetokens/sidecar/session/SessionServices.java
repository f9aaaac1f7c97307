package org.servicetokens.sidecar.session;

import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.keycloak.TokenEndpoint;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * The process-wide parts of browser sessions, shared by every verticle (the refresher's single flight must be).
 * The login flow's pending logins build on {@link #cookies()} but live with the login flow.
 */
public record SessionServices(
        SessionStore store, SessionRefresher refresher, TokenEndpoint tokens, SessionCookies cookies) {

    public static SessionServices create(
            SidecarConfig config, TokenEndpoint tokens, SidecarCaches caches, SidecarMetrics metrics) {
        SessionStore store =
                new SessionStore(caches.sessions(), caches.sessionSubjects(), config.sessions.maxPerSubject);
        SessionCookies cookies = new SessionCookies(config.cookies.name, config.cookies.secure);
        return new SessionServices(store, new SessionRefresher(store, tokens, metrics), tokens, cookies);
    }
}

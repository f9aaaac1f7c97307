package org.servicetokens.sidecar.credentials;

import io.vertx.core.http.HttpServerRequest;

/**
 * Extension point for the browser session (the login flow's cookie). Consulted only when the request
 * carries no explicit credential, so a bot's headers always win over a stray cookie.
 */
@FunctionalInterface
public interface SessionCredentials {

    SessionCredentials NONE = request -> null;

    /** The session credential of this request, or null. */
    Credential find(HttpServerRequest request);
}

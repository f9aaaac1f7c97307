package org.servicetokens.sidecar.pipeline;

/**
 * How a browser without a session is sent to log in. The login package's {@code BrowserLogin} implements it
 * (authorization code + PKCE, state, nonce, back to the URL asked for); it is declared here, where it is called, so
 * the pipeline does not depend on the login flow.
 */
public interface LoginFlow {

    /** Answers the request (a 302, or a JSON error when the login endpoint is not known yet). */
    void start(RequestContext context);
}

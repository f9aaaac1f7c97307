package org.servicetokens.sidecar.pipeline;

/**
 * How a browser without a session is sent to log in: {@link BrowserLogin} (authorization code + PKCE, state,
 * nonce, back to the URL asked for).
 */
public interface LoginFlow {

  /** Answers the request (a 302, or a JSON error when the login endpoint is not known yet). */
  void start(RequestContext context);
}

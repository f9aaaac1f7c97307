package org.servicetokens.sidecar.web;

import io.vertx.ext.web.RoutingContext;

/**
 * How a browser without a session is sent to log in. This version redirects to the realm's authorization
 * endpoint; the human-login work (PKCE, state, nonce, callback, sessions) replaces it behind this interface.
 */
public interface LoginFlow {

  /** Answers the request (a 302, or a JSON error when the login endpoint is not known yet). */
  void start(RoutingContext ctx);
}

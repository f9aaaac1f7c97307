package org.servicetokens.sidecar.util;

/**
 * Every path the sidecar answers itself. They all live under {@link #PREFIX}, which is never proxied: the app
 * never sees a request for it, and a return URL never points into it. The management server's {@code /health},
 * {@code /ready} and {@code /metrics} are on their own port and are not listed here.
 */
public final class SidecarPaths {

  /** The reserved prefix, with its trailing slash. */
  public static final String PREFIX = "/.sidecar/";
  /** The reserved prefix as a path of its own (no trailing slash). */
  public static final String ROOT = "/.sidecar";
  /** Every endpoint under the prefix, as a vertx-web route pattern (the catch-all: 404). */
  public static final String ALL = PREFIX + "*";
  /** OIDC Back-Channel Logout 1.0 receiver (POST). */
  public static final String BACKCHANNEL_LOGOUT = PREFIX + "backchannel-logout";
  /** The caller's identity as JSON (GET). */
  public static final String IDENTITY = PREFIX + "identity";
  /** Starts a browser login (GET, {@code ?rd=/path}). */
  public static final String LOGIN = PREFIX + "login";
  /** Where Keycloak sends the browser back with the authorization code (the redirect_uri, GET). */
  public static final String CALLBACK = PREFIX + "callback";
  /** The logout confirmation page (GET) and the logout itself (POST). */
  public static final String LOGOUT = PREFIX + "logout";
  /** Where Keycloak sends the browser after its end-session endpoint (GET). */
  public static final String LOGGED_OUT = PREFIX + "logged-out";

  private SidecarPaths() {
  }

  /** Whether a normalised path is the prefix or under it (case-sensitive, as paths are). */
  public static boolean isReserved(String path) {
    return path.startsWith(PREFIX) || path.equals(ROOT);
  }
}

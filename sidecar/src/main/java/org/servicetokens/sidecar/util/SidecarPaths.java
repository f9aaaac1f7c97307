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
    /**
     * Forward-auth for proxies that pass the answer on to the client when it is not 2xx (Traefik {@code ForwardAuth},
     * Caddy {@code forward_auth}, Envoy {@code ext_authz}): a browser navigation gets the 302 to the login.
     */
    public static final String FORWARD_AUTH = PREFIX + "forward-auth";
    /**
     * Forward-auth for nginx {@code auth_request} (and ingress-nginx), which understands only 2xx, 401 and 403: a
     * browser navigation gets 401 with the login URL in {@code X-Sidecar-Login}, for {@code error_page 401}.
     */
    public static final String AUTH_REQUEST = PREFIX + "auth-request";
    /**
     * RFC 9728 §3 protected-resource metadata, outside the reserved prefix because the RFC fixes the name (with the
     * resource identifier's path, if any, appended). Served only with {@code resource-metadata.enabled}.
     */
    public static final String PROTECTED_RESOURCE_METADATA = "/.well-known/oauth-protected-resource";

    private SidecarPaths() {}

    /** Whether a normalised path is the prefix or under it (case-sensitive, as paths are). */
    public static boolean isReserved(String path) {
        return path.startsWith(PREFIX) || path.equals(ROOT);
    }
}

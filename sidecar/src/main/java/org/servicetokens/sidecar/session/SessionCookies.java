package org.servicetokens.sidecar.session;

import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import org.servicetokens.sidecar.util.RandomTokens;

/**
 * The sidecar's cookies, built by hand so every flag is visible here: the session cookie (an opaque id, no
 * token) and the short-lived login cookies, one per pending login, named {@code <session cookie>-login-<tag>}
 * (the login flow's {@code PendingLogins}). Both are HttpOnly and SameSite=Lax (sent on Keycloak's top-level
 * redirect back to the callback, never on cross-site subresource or POST requests); when {@code cookies.secure} is on they are Secure and
 * carry the {@code __Host-} prefix, so no subdomain or plain-http page can set or shadow them. Names start with
 * {@code cookies.name}, which is what keeps them from ever being forwarded to the app.
 */
public final class SessionCookies {

    private final boolean secure;
    private final String sessionName;
    private final String loginName;

    public SessionCookies(String baseName, boolean secure) {
        this.secure = secure;
        String prefix = secure ? "__Host-" : "";
        this.sessionName = prefix + baseName;
        this.loginName = prefix + baseName + "-login";
    }

    public String sessionName() {
        return sessionName;
    }

    public String loginName() {
        return loginName;
    }

    /** Lives as long as the browser session; the server-side session decides validity. */
    public String session(String sessionId) {
        return build(sessionName, sessionId, null);
    }

    public String clearSession() {
        return build(sessionName, "", Duration.ZERO);
    }

    /** Removes cookie {@code name} (one of ours) from the browser. */
    public String clear(String name) {
        return build(name, "", Duration.ZERO);
    }

    public String build(String name, String value, Duration maxAge) {
        StringBuilder sb =
                new StringBuilder(128).append(name).append('=').append(value).append("; Path=/");
        if (maxAge != null) {
            sb.append("; Max-Age=").append(maxAge.toSeconds());
        }
        sb.append("; HttpOnly");
        if (secure) {
            sb.append("; Secure");
        }
        return sb.append("; SameSite=Lax").toString();
    }

    /** The session id from the request's cookies, or null (absent, malformed, or sent twice). */
    public String sessionId(HttpServerRequest request) {
        return read(request.headers().getAll("Cookie"), sessionName);
    }

    /**
     * The single well-formed value of cookie {@code name}. Two cookies of that name (one planted by a sibling
     * subdomain without the {@code __Host-} prefix, say) are ambiguous: treated as none.
     */
    static String read(Iterable<String> cookieHeaders, String name) {
        String found = null;
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq < 0 || !pair.substring(0, eq).trim().equals(name)) {
                    continue;
                }
                if (found != null) {
                    return null;
                }
                found = pair.substring(eq + 1).trim();
            }
        }
        return RandomTokens.isToken(found) ? found : null;
    }
}

package org.servicetokens.sidecar.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.servicetokens.sidecar.util.Hashing;

/**
 * The logout form's CSRF token, derived from the session id: only a page that can read the HttpOnly session
 * cookie's value (i.e. the sidecar itself, rendering the confirm page) can produce it. Nothing to store, the same
 * on every replica, and useless once the session is gone.
 */
public final class CsrfToken {

    private static final String PURPOSE = "sidecar-logout-csrf|";

    private CsrfToken() {}

    public static String forSession(String sessionId) {
        byte[] digest = Hashing.sha256((PURPOSE + sessionId).getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    /** Constant-time comparison of a submitted token with the session's. */
    public static boolean matches(String sessionId, String submitted) {
        if (sessionId == null || submitted == null) {
            return false;
        }
        return MessageDigest.isEqual(
                forSession(sessionId).getBytes(StandardCharsets.US_ASCII),
                submitted.getBytes(StandardCharsets.US_ASCII));
    }
}

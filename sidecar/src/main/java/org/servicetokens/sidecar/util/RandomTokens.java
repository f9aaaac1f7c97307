package org.servicetokens.sidecar.util;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The sidecar's random values (login state and nonce, PKCE verifier, session id): 256 bits from
 * {@link SecureRandom} as base64url without padding (RFC 4648 §5), 43 characters.
 */
public final class RandomTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private RandomTokens() {}

    /** A fresh random token. */
    public static String next() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return B64URL.encodeToString(bytes);
    }

    /** Whether {@code s} looks like one of our random tokens (so cookie and query values can be vetted cheaply). */
    public static boolean isToken(String s) {
        if (s == null || s.length() != 43) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}

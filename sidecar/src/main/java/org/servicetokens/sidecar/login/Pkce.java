package org.servicetokens.sidecar.login;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.servicetokens.sidecar.util.Hashing;
import org.servicetokens.sidecar.util.RandomTokens;

/** PKCE (RFC 7636) with S256 only: the code verifier and its challenge. */
public final class Pkce {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private Pkce() {}

    /** A code verifier: 43 characters from the unreserved set, as RFC 7636 §4.1 asks. */
    public static String verifier() {
        return RandomTokens.next();
    }

    /** {@code BASE64URL(SHA256(ASCII(verifier)))}, RFC 7636 §4.2. */
    public static String challenge(String verifier) {
        return B64URL.encodeToString(Hashing.sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
    }
}

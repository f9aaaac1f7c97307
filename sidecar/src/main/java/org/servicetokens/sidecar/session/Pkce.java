package org.servicetokens.sidecar.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** PKCE (RFC 7636) with S256 only, and the random values of the login flow (state, nonce, session ids). */
public final class Pkce {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Pkce() {
  }

  /** 256 random bits as base64url without padding (43 characters): state, nonce, verifier, session id. */
  public static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return B64URL.encodeToString(bytes);
  }

  /** A code verifier: 43 characters from the unreserved set, as RFC 7636 §4.1 asks. */
  public static String verifier() {
    return randomToken();
  }

  /** {@code BASE64URL(SHA256(ASCII(verifier)))}, RFC 7636 §4.2. */
  public static String challenge(String verifier) {
    return B64URL.encodeToString(sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
  }

  static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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

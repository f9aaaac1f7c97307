package org.servicetokens.sidecar.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.servicetokens.sidecar.util.Hashing;

/**
 * Sessions are replicated to every sidecar of a cluster, so they are stored encrypted under a key only the
 * browser holds: AES-256-GCM keyed by a hash of the session id (256 random bits), and filed under a different
 * hash of it. A copy of the cache alone yields neither a usable cookie nor a refresh token.
 */
final class SessionCipher {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;

    private SessionCipher() {}

    /** The cache key of a session id: not the id itself, and not the encryption key. */
    static String cacheKey(String sessionId) {
        return "s:"
                + HexFormat.of()
                        .formatHex(Hashing.sha256(
                                ("sidecar-session-id|" + sessionId).getBytes(StandardCharsets.US_ASCII)));
    }

    static String encrypt(String sessionId, String plaintext) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, sessionId, iv);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The plaintext, or null when the value was not sealed under this session id (tampered, or another id). */
    static String decrypt(String sessionId, String sealed) {
        try {
            byte[] in = Base64.getDecoder().decode(sealed);
            if (in.length <= IV_BYTES) {
                return null;
            }
            byte[] iv = java.util.Arrays.copyOf(in, IV_BYTES);
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, sessionId, iv);
            return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static Cipher cipher(int mode, String sessionId, byte[] iv) throws GeneralSecurityException {
        byte[] key = Hashing.sha256(("sidecar-session-key|" + sessionId).getBytes(StandardCharsets.US_ASCII));
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        cipher.updateAAD(cacheKey(sessionId).getBytes(StandardCharsets.US_ASCII));
        return cipher;
    }
}

package org.servicetokens.sidecar.session;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.servicetokens.sidecar.util.Hashing;

/**
 * Sessions are replicated to every sidecar of a cluster, so they are stored encrypted under a key only the
 * browser holds: AES-256-GCM keyed by a hash of the session id (256 random bits), and filed under a different
 * hash of it. A copy of the cache alone yields neither a usable cookie nor a refresh token.
 *
 * <p>Stored form (heap is what bounds the sessions cache, so it is kept compact): {@value #COMPACT} followed by
 * IV + ciphertext + tag, one byte per {@code char} (ISO-8859-1: a Latin-1 string holds one byte per char on the
 * heap), the plaintext raw-DEFLATE-compressed before sealing (the three tokens share their JOSE header, issuer and
 * most claims). Older sidecars stored standard Base64 of IV + ciphertext of the uncompressed JSON; that form is
 * still read, so sessions made before an upgrade survive it. An older replica cannot read the compact form: during
 * a rolling upgrade, a browser whose session a new replica wrote and an old replica serves is asked to log in again.
 * Compressing before encrypting reveals the compressed length; only the cache holds that, and the plaintext is
 * Keycloak's tokens, not something an attacker can mix a guess into and observe.
 */
final class SessionCipher {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;
    /** First char of the compact form; never in the Base64 alphabet of the older form. */
    static final char COMPACT = '~';
    /** Larger plaintexts are refused on reading (a DEFLATE bomb in a forged entry cannot inflate without bound). */
    private static final int MAX_PLAINTEXT_BYTES = 1 << 20;

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
            byte[] sealed = cipher.doFinal(deflate(plaintext.getBytes(StandardCharsets.UTF_8)));
            byte[] out = new byte[1 + IV_BYTES + sealed.length];
            out[0] = (byte) COMPACT;
            System.arraycopy(iv, 0, out, 1, IV_BYTES);
            System.arraycopy(sealed, 0, out, 1 + IV_BYTES, sealed.length);
            return new String(out, StandardCharsets.ISO_8859_1);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * The plaintext, or null when the value was not sealed under this session id (tampered, or another id). Reads the
     * compact form and the older Base64 form.
     */
    static String decrypt(String sessionId, String sealed) {
        try {
            boolean compact = !sealed.isEmpty() && sealed.charAt(0) == COMPACT;
            byte[] in = compact
                    ? sealed.substring(1).getBytes(StandardCharsets.ISO_8859_1)
                    : Base64.getDecoder().decode(sealed);
            if (in.length <= IV_BYTES) {
                return null;
            }
            byte[] iv = java.util.Arrays.copyOf(in, IV_BYTES);
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, sessionId, iv);
            byte[] plain = cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES);
            return new String(compact ? inflate(plain) : plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException | DataFormatException e) {
            return null;
        }
    }

    private static byte[] deflate(byte[] plain) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(plain);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 2 + 64);
            byte[] buf = new byte[4096];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end(); // native zlib memory: released now, not at some later GC
        }
    }

    /** Authenticated input only (after the GCM tag checked); still capped, and a truncated stream is refused. */
    private static byte[] inflate(byte[] compressed) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 3);
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("truncated");
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_PLAINTEXT_BYTES) {
                    throw new DataFormatException("too large");
                }
            }
            return out.toByteArray();
        } finally {
            inflater.end();
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

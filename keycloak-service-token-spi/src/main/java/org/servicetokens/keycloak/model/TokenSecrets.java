package org.servicetokens.keycloak.model;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Service-token secrets: {@code kcst_} + 256 random bits in base62 (43 chars) + a 6-char base62 CRC32 of
 * that body. The fixed prefix and checksum let secret scanners match leaked secrets with few false positives
 * and let the authenticator reject typos without touching the stored hash.
 *
 * <p>Only {@link #hash(String)} of a secret is stored. An unsalted SHA-256 is the right tool here: the input
 * already carries 256 bits of entropy, so there is nothing for a salt or a slow KDF to protect, and the
 * authenticator stays as fast as Keycloak's stock secret comparison.
 */
public final class TokenSecrets {

    public static final String PREFIX = "kcst_";
    private static final int BODY_LENGTH = 43;
    private static final int CHECKSUM_LENGTH = 6;
    public static final int LENGTH = PREFIX.length() + BODY_LENGTH + CHECKSUM_LENGTH;
    /** Length of {@link #secretId}: base64url characters. */
    public static final int SECRET_ID_LENGTH = 12;
    /** Published in the README for secret scanners. */
    public static final Pattern FORMAT = Pattern.compile("kcst_[0-9A-Za-z]{" + (BODY_LENGTH + CHECKSUM_LENGTH) + "}");

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final BigInteger SIXTY_TWO = BigInteger.valueOf(62);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {}

    /** A new secret: {@code kcst_} + 43 base62 characters (256 random bits) + the 6-character base62 CRC32 of those 43. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String body = base62(new BigInteger(1, bytes), BODY_LENGTH);
        return PREFIX + body + checksum(body);
    }

    /** True when the string has the shape of a secret and its checksum matches: cheap, no hashing. */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null
                || candidate.length() != LENGTH
                || !FORMAT.matcher(candidate).matches()) {
            return false;
        }
        String body = candidate.substring(PREFIX.length(), PREFIX.length() + BODY_LENGTH);
        return candidate.endsWith(checksum(body));
    }

    /** Base64url SHA-256 of the secret: the only form in which a secret is ever stored. */
    public static String hash(String secret) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(secret));
    }

    /**
     * A short, public name for one secret within one generation of its token: the first 12 characters (72 bits) of
     * base64url SHA-256 over a fixed label, the generation and the secret's stored hash. Access tokens carry it
     * ({@code service_token.secret}) so a revocation can name "the JWTs minted with this secret" and nothing else.
     * It reveals nothing usable about the secret (a truncated hash of a hash of 256 random bits); it changes when the
     * secret changes and when the token's generation moves on (disable, removal of an application), so JWTs minted
     * afterwards never match a revocation sent before. Null for a null hash.
     */
    public static String secretId(String storedHash, long generation) {
        if (storedHash == null) {
            return null;
        }
        byte[] digest = sha256("service-token-secret-id|" + generation + "|" + storedHash);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, SECRET_ID_LENGTH);
    }

    /** Constant-time comparison of a presented secret against a stored hash. */
    public static boolean matches(String presentedSecret, String storedHash) {
        if (presentedSecret == null || storedHash == null) {
            return false;
        }
        byte[] expected;
        try {
            expected = Base64.getUrlDecoder().decode(storedHash);
        } catch (IllegalArgumentException corrupt) {
            return false;
        }
        return MessageDigest.isEqual(sha256(presentedSecret), expected);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", impossible);
        }
    }

    private static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return base62(BigInteger.valueOf(crc.getValue()), CHECKSUM_LENGTH);
    }

    private static String base62(BigInteger value, int length) {
        char[] out = new char[length];
        BigInteger rest = value;
        for (int i = length - 1; i >= 0; i--) {
            BigInteger[] qr = rest.divideAndRemainder(SIXTY_TWO);
            out[i] = BASE62[qr[1].intValue()];
            rest = qr[0];
        }
        return new String(out);
    }
}

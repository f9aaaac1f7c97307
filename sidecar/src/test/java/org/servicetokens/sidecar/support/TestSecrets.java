package org.servicetokens.sidecar.support;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * Service-token secrets of the published shape for tests: {@code kcst_} + 43 base62 characters (256 bits) + a
 * 6-character base62 CRC32 of those 43, exactly as the provider's {@code TokenSecrets} makes them. The sidecar
 * refuses any other shape without asking Keycloak, so every test secret that is meant to reach the (fake or real)
 * token endpoint comes from here.
 *
 * <p>{@link #of(String)} is deterministic (a test can name its secret and get the same one again);
 * {@link #random()} is fresh each call; {@link #withBadChecksum(String)} and {@link #wrong(String)} give the two
 * kinds of wrong secret: one the sidecar refuses by itself, one only Keycloak can refuse.
 */
public final class TestSecrets {

    public static final String PREFIX = "kcst_";
    private static final int BODY_LENGTH = 43;
    private static final int CHECKSUM_LENGTH = 6;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final BigInteger SIXTY_TWO = BigInteger.valueOf(62);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestSecrets() {}

    /** The well-formed secret named {@code seed}: the same seed always gives the same secret. */
    public static String of(String seed) {
        return fromBits(sha256(seed));
    }

    /** A fresh well-formed secret. */
    public static String random() {
        byte[] bits = new byte[32];
        RANDOM.nextBytes(bits);
        return fromBits(bits);
    }

    /** Another well-formed secret, never equal to {@code secret}: Keycloak must be asked to refuse it. */
    public static String wrong(String secret) {
        return of("wrong|" + secret);
    }

    /** {@code secret} with its checksum broken (one character changed): refused without asking Keycloak. */
    public static String withBadChecksum(String secret) {
        char last = secret.charAt(secret.length() - 1);
        return secret.substring(0, secret.length() - 1) + (last == '0' ? '1' : '0');
    }

    /** The 6-character base62 CRC32 of a 43-character body. */
    public static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return base62(BigInteger.valueOf(crc.getValue()), CHECKSUM_LENGTH);
    }

    private static String fromBits(byte[] bits) {
        String body = base62(new BigInteger(1, bits), BODY_LENGTH);
        return PREFIX + body + checksum(body);
    }

    private static String base62(BigInteger value, int length) {
        char[] out = new char[length];
        BigInteger rest = value;
        for (int i = length - 1; i >= 0; i--) {
            BigInteger[] qr = rest.divideAndRemainder(SIXTY_TWO);
            out[i] = BASE62.charAt(qr[1].intValue());
            rest = qr[0];
        }
        return new String(out);
    }

    private static byte[] sha256(String seed) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

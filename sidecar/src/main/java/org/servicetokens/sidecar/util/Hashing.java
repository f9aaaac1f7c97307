package org.servicetokens.sidecar.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 (FIPS 180-4): how tokens and secrets are keyed in caches, so neither is ever stored as is. */
public final class Hashing {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Hashing() {}

    /** SHA-256 of {@code value}'s UTF-8 bytes, as 64 lower-case hex digits. */
    public static String sha256Hex(String value) {
        return HexFormat.of().formatHex(sha256(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-256 of {@code input}: 32 bytes. */
    public static byte[] sha256(byte[] input) {
        MessageDigest md = SHA256.get();
        md.reset();
        return md.digest(input);
    }
}

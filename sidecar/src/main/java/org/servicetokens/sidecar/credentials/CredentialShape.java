package org.servicetokens.sidecar.credentials;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.servicetokens.sidecar.util.HttpSyntax;

/**
 * What a service token's client ID and secret look like, checked before anything is sent to Keycloak, so that
 * junk costs one string scan and no call.
 *
 * <p>A secret is {@code kcst_} + 43 base62 characters (256 random bits) + the 6-character base62 CRC32 of those
 * 43, the format the provider publishes for secret scanners ({@code kcst_[0-9A-Za-z]{49}}). A typo or an invented
 * secret fails the checksum with odds of about 1 in 4·10⁹ of passing.
 *
 * <p>A client ID is 1 to 255 characters (Keycloak's column) from RFC 3986's unreserved set: letters, digits,
 * {@code - . _ ~}. The provider names service tokens {@code <slug>-<8 random>} from {@code [a-z0-9-]}, so every
 * real one fits with room to spare; anything else (spaces, quotes, controls, non-ASCII, 8 KB of padding) cannot
 * be a service token.
 */
public final class CredentialShape {

    public static final String SECRET_PREFIX = "kcst_";
    private static final int BODY_LENGTH = 43;
    private static final int CHECKSUM_LENGTH = 6;
    private static final int SECRET_LENGTH = SECRET_PREFIX.length() + BODY_LENGTH + CHECKSUM_LENGTH;
    public static final int MAX_CLIENT_ID_LENGTH = 255;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private CredentialShape() {}

    /** True for a secret of the published format whose checksum matches. Constant work: no hashing, no lookups. */
    public static boolean isWellFormedSecret(String secret) {
        if (secret == null || secret.length() != SECRET_LENGTH || !secret.startsWith(SECRET_PREFIX)) {
            return false;
        }
        for (int i = SECRET_PREFIX.length(); i < SECRET_LENGTH; i++) {
            if (BASE62.indexOf(secret.charAt(i)) < 0) {
                return false;
            }
        }
        CRC32 crc = new CRC32();
        crc.update(secret.substring(SECRET_PREFIX.length(), SECRET_PREFIX.length() + BODY_LENGTH)
                .getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        for (int i = SECRET_LENGTH - 1; i >= SECRET_LENGTH - CHECKSUM_LENGTH; i--) {
            if (secret.charAt(i) != BASE62.charAt((int) (value % 62))) {
                return false;
            }
            value /= 62;
        }
        return value == 0;
    }

    /** True for 1–255 characters of RFC 3986 {@code unreserved}. */
    public static boolean isWellFormedClientId(String clientId) {
        if (clientId == null || clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < clientId.length(); i++) {
            if (!HttpSyntax.isUnreserved(clientId.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}

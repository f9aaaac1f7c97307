package org.servicetokens.sidecar.policy;

import org.servicetokens.sidecar.util.HttpSyntax;

/**
 * Canonical form of a request path, computed once and used both for policy matching and as the path sent
 * upstream, so the app can never see a path the policy did not judge. Unreserved characters written as
 * percent escapes are decoded, {@code //} collapses, {@code .}/{@code ..} segments resolve. Anything whose
 * meaning depends on who decodes it is refused with a short machine-readable reason:
 * <ul>
 *   <li>a raw character outside RFC 3986 §3.3 {@code pchar} and {@code /} (a {@code #}, {@code "}, {@code <},
 *   {@code >}, {@code [}, {@code ]}, {@code ^}, a backtick, {@code {}, {@code |}, {@code }}, a space, anything
 *   non-ASCII): {@code invalid_path_character}. Servers disagree on them (Express and gunicorn drop a raw
 *   {@code #} and what follows, so {@code /secret#x} would be judged as one path and served as another);</li>
 *   <li>a percent-encoding that does not decode to valid, shortest-form UTF-8 (RFC 3629 §3: overlong forms such
 *   as {@code %c0%ae}, lone continuation bytes, surrogates, truncated sequences, {@code %f5}–{@code %ff}):
 *   {@code invalid_utf8_encoding}. Lenient decoders turn {@code %c0%ae} into a dot;</li>
 *   <li>{@code %2F}, any encoded dot, {@code %5C}, encoded control characters: {@code ambiguous_encoding};
 *   a raw backslash: {@code backslash_in_path}; raw control characters: {@code control_character_in_path};
 *   {@code ;} path parameters: {@code path_parameter}; a {@code %25} followed, in the normal form, by two hex
 *   digits or by {@code u} and four ({@code %2541}, and {@code %25%34%31} too, whose {@code %34%31} decodes to
 *   {@code 41}): {@code double_encoding}; a malformed escape: {@code malformed_percent_encoding}; {@code ..} above
 *   the root: {@code path_escapes_root}.</li>
 * </ul>
 * Percent-encodings of other characters stay encoded, with upper-case hex digits (RFC 3986 §6.2.2.1). The normal
 * form is a fixed point ({@code normalize(normalize(p)).equals(normalize(p))}), and an app that percent-decodes it
 * twice gets what one decoding gives.
 */
public final class PathNormalizer {

    /** RFC 3986 {@code pchar} written raw, and {@code /}, but not {@code ;} (refused) nor {@code %} (decoded). */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            PLAIN[c] = true;
            PLAIN[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            PLAIN[c] = true;
        }
        for (char c : "-._~!$&'()*+,=:@/".toCharArray()) {
            PLAIN[c] = true;
        }
    }

    private PathNormalizer() {}

    /** Thrown for paths that must be answered with 400; the message is a short machine-readable reason. */
    public static final class AmbiguousPathException extends Exception {
        public AmbiguousPathException(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The canonical form of {@code rawPath} (the request target's path, before any decoding).
     *
     * @throws AmbiguousPathException with the reason, for every path refused as described above
     */
    public static String normalize(String rawPath) throws AmbiguousPathException {
        boolean absolute = rawPath != null && !rawPath.isEmpty() && rawPath.charAt(0) == '/';
        return absolute && isAlreadyCanonical(rawPath) ? rawPath : normalizeFully(rawPath);
    }

    static String normalizeFully(String rawPath) throws AmbiguousPathException {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw new AmbiguousPathException("path_not_absolute");
        }
        StringBuilder decoded = new StringBuilder(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c < 128 && PLAIN[c]) {
                decoded.append(c);
            } else if (c == '%') {
                i = decodeEscape(rawPath, i, decoded);
            } else {
                throw new AmbiguousPathException(refusal(c));
            }
        }
        String normal = removeDotSegments(decoded.toString());
        checkNoSecondDecoding(normal);
        return normal;
    }

    /**
     * A literal {@code %} stays {@code %25}; if what follows it in the normal form is an escape once decoded (two
     * hex digits, or IIS's {@code u} and four), an app that decodes twice reads a character the policy never judged
     * ({@code /public/%25%32%65%25%32%65/admin} would be {@code /public/../admin}), and normalising the normal form
     * again would refuse it. Both ways to spell it are caught here, on the normal form: {@code %2541} and
     * {@code %25%34%31} alike. With this, normalisation is idempotent, and decoding the normal form twice gives what
     * decoding it once does.
     */
    private static void checkNoSecondDecoding(String normal) throws AmbiguousPathException {
        for (int at = normal.indexOf("%25"); at >= 0; at = normal.indexOf("%25", at + 3)) {
            int next = at + 3;
            if (isHexAt(normal, next) && isHexAt(normal, next + 1)) {
                throw new AmbiguousPathException("double_encoding");
            }
            if (next < normal.length()
                    && (normal.charAt(next) == 'u' || normal.charAt(next) == 'U')
                    && isHexAt(normal, next + 1)
                    && isHexAt(normal, next + 2)
                    && isHexAt(normal, next + 3)
                    && isHexAt(normal, next + 4)) {
                throw new AmbiguousPathException("double_encoding");
            }
        }
    }

    private static boolean isHexAt(String s, int i) {
        return i < s.length() && hex(s.charAt(i)) >= 0;
    }

    private static String refusal(char c) {
        if (c == '\\') {
            return "backslash_in_path";
        }
        if (c < 0x20 || c == 0x7f) {
            return "control_character_in_path";
        }
        if (c == ';') {
            // Path parameters (";jsessionid=…", "/..;/") are read differently by Tomcat, Jetty and friends.
            return "path_parameter";
        }
        return "invalid_path_character";
    }

    /** Decodes the escape at {@code i} (and, for UTF-8, its continuation escapes); returns the last index used. */
    private static int decodeEscape(String raw, int i, StringBuilder out) throws AmbiguousPathException {
        int v = escapedByte(raw, i);
        if (v < 0) {
            throw new AmbiguousPathException("malformed_percent_encoding");
        }
        if (v >= 0x80) {
            return decodeUtf8(raw, i, v, out);
        }
        if (v == '/' || v == '\\' || v == '.' || v == ';' || v < 0x20 || v == 0x7f) {
            throw new AmbiguousPathException("ambiguous_encoding");
        }
        // '.' never gets here (refused above), so what is decoded is unreserved less the dot.
        if (HttpSyntax.isUnreserved(v)) {
            out.append((char) v);
        } else {
            appendEscape(out, v);
        }
        return i + 2;
    }

    /**
     * One UTF-8 sequence, every byte percent-encoded: the lead byte fixes the length, and the second byte's range
     * excludes overlong forms, surrogates and code points above U+10FFFF (RFC 3629 §4, the table of well-formed
     * sequences). Kept encoded: the app decodes it, and only one decoding is possible.
     */
    private static int decodeUtf8(String raw, int i, int lead, StringBuilder out) throws AmbiguousPathException {
        int continuations;
        int low = 0x80;
        int high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuations = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            continuations = 2;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            continuations = 3;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            // 0x80–0xBF alone, 0xC0/0xC1 (always overlong), 0xF5–0xFF (beyond U+10FFFF or not UTF-8 at all).
            throw new AmbiguousPathException("invalid_utf8_encoding");
        }
        appendEscape(out, lead);
        int at = i + 3;
        for (int k = 0; k < continuations; k++, at += 3) {
            if (at >= raw.length() || raw.charAt(at) != '%') {
                throw new AmbiguousPathException("invalid_utf8_encoding");
            }
            int b = escapedByte(raw, at);
            if (b < 0) {
                throw new AmbiguousPathException("malformed_percent_encoding");
            }
            if (b < low || b > high) {
                throw new AmbiguousPathException("invalid_utf8_encoding");
            }
            appendEscape(out, b);
            low = 0x80;
            high = 0xBF;
        }
        return at - 1;
    }

    /** The byte of the escape {@code %XX} at {@code i}, or -1 if there is no well-formed escape there. */
    private static int escapedByte(String raw, int i) {
        if (i + 2 >= raw.length() || raw.charAt(i) != '%') {
            return -1;
        }
        int h = hex(raw.charAt(i + 1));
        int l = hex(raw.charAt(i + 2));
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }

    private static void appendEscape(StringBuilder out, int b) {
        out.append('%')
                .append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
    }

    /**
     * Most paths need no work: only plain {@code pchar}s and {@code /}, nothing encoded, no empty or dot segment.
     * For those the full normalisation returns its input unchanged, so it is skipped (a randomised test holds
     * both to the same answers). One pass, one table lookup per character, no allocation.
     */
    public static boolean isAlreadyCanonical(String path) {
        int n = path.length();
        for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c >= 128 || !PLAIN[c]) {
                return false;
            }
            if (c == '/' && i + 1 < n) {
                char next = path.charAt(i + 1);
                if (next == '/' || next == '.') {
                    return false;
                }
            }
        }
        return true;
    }

    private static String removeDotSegments(String path) throws AmbiguousPathException {
        String[] parts = path.split("/", -1);
        String[] out = new String[parts.length];
        int n = 0;
        for (int i = 1; i < parts.length; i++) {
            String seg = parts[i];
            boolean last = i == parts.length - 1;
            if (seg.equals(".")) {
                if (last) {
                    out[n++] = "";
                }
            } else if (seg.equals("..")) {
                if (n == 0) {
                    throw new AmbiguousPathException("path_escapes_root");
                }
                n--;
                if (last) {
                    out[n++] = "";
                }
            } else if (seg.isEmpty() && !last) {
                // "//" collapses: most servers treat it as "/", some do not, so only one form goes upstream.
                continue;
            } else {
                out[n++] = seg;
            }
        }
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < n; i++) {
            sb.append('/').append(out[i]);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}

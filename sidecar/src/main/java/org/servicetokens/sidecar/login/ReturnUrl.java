package org.servicetokens.sidecar.login;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * Where a browser goes after logging in. Only a same-origin relative path is ever kept; everything else becomes
 * {@code /}. Browsers are generous readers of URLs ({@code //evil}, {@code /\evil}, tabs and newlines dropped,
 * backslashes read as slashes), so the rule is an allow-list: one leading {@code /}, printable ASCII, no
 * backslash, no scheme or authority, not one of the sidecar's own endpoints, and the same still true after
 * percent-decoding (twice, for double-encoded attempts).
 */
public final class ReturnUrl {

    public static final String HOME = "/";
    private static final int MAX_LENGTH = 2048;

    private ReturnUrl() {}

    /** {@code raw} if it is a safe same-origin relative URL, else {@code /}. */
    public static String sanitize(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_LENGTH || !safeShape(raw, false)) {
            return HOME;
        }
        String decoded = raw;
        for (int i = 0; i < 2; i++) {
            try {
                decoded = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                return HOME;
            }
            if (!safeShape(decoded, true)) {
                return HOME;
            }
        }
        try {
            URI uri = new URI(raw);
            if (uri.getScheme() != null || uri.getRawAuthority() != null) {
                return HOME;
            }
        } catch (URISyntaxException e) {
            return HOME;
        }
        return raw;
    }

    /** @param decoded a percent-decoded form, where UTF-8 text is legitimate (the browser never sees it so) */
    private static boolean safeShape(String s, boolean decoded) {
        if (s.isEmpty() || s.charAt(0) != '/' || s.startsWith("//")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // Controls and spaces are dropped or rewritten by browsers ("/\t/evil" is "//evil"); non-ASCII is
            // normalised in ways that have produced open redirects before. A backslash is a slash to a browser.
            if (c <= 0x20 || c == 0x7f || (c > 0x7f && !decoded) || c == '\\') {
                return false;
            }
        }
        String path = s;
        int end = indexOfAny(path, '?', '#');
        if (end >= 0) {
            path = path.substring(0, end);
        }
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        return !(lower.equals(SidecarPaths.ROOT) || lower.startsWith(SidecarPaths.PREFIX));
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}

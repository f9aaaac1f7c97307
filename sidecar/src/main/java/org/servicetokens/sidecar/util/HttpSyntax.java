package org.servicetokens.sidecar.util;

/**
 * Strict, allocation-free checks of the request line and header pieces the sidecar relies on. Each is one pass over
 * the characters with table lookups, no regular expression: they run on every request.
 */
public final class HttpSyntax {

    /** Longest Host / :authority accepted, in characters (a DNS name is at most 253, plus a port). */
    public static final int MAX_AUTHORITY_LENGTH = 255;

    /** RFC 9110 §5.6.2 {@code tchar}. */
    private static final boolean[] TCHAR = new boolean[128];
    /** RFC 3986 §2.3 {@code unreserved} (letters, digits, - . _ ~), also the reg-name characters accepted in a host. */
    private static final boolean[] UNRESERVED = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = UNRESERVED[c] = true;
            TCHAR[Character.toUpperCase(c)] = UNRESERVED[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = UNRESERVED[c] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (char c : "-._~".toCharArray()) {
            UNRESERVED[c] = true;
        }
    }

    private HttpSyntax() {}

    /** True if {@code c} is an RFC 3986 §2.3 {@code unreserved} character: ASCII letters, digits, - . _ ~. */
    public static boolean isUnreserved(int c) {
        return c >= 0 && c < 128 && UNRESERVED[c];
    }

    /** True if {@code s} is a non-empty RFC 9110 §5.6.2 token (the syntax of a method or a header name). */
    public static boolean isToken(CharSequence s) {
        int n = s == null ? 0 : s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /**
     * True if {@code s} is a Host header value (RFC 9112 §3.2, RFC 3986 §3.2.2): {@code host [":" port]}, at most
     * {@link #MAX_AUTHORITY_LENGTH} characters. Stricter than RFC 3986 where it keeps headers and URLs built from the
     * host unambiguous: a reg-name is letters, digits, {@code - . _ ~} only (no sub-delims such as {@code ,} or
     * {@code ;}, no percent-encoding, no userinfo {@code @}); an IP literal is an IPv6 address without zone
     * ({@code [::1]}, no IPvFuture); a port is 1 to 65535 written without leading zeros. An empty host, an empty
     * port ({@code host:}) and whitespace anywhere are refused.
     */
    public static boolean isValidAuthority(CharSequence s) {
        int n = s == null ? 0 : s.length();
        if (n == 0 || n > MAX_AUTHORITY_LENGTH) {
            return false;
        }
        int hostEnd;
        if (s.charAt(0) == '[') {
            int close = indexOf(s, ']', 1);
            if (close < 0 || !isIpv6(s, 1, close)) {
                return false;
            }
            hostEnd = close + 1;
        } else {
            hostEnd = indexOf(s, ':', 0);
            hostEnd = hostEnd < 0 ? n : hostEnd;
            if (!isRegName(s, 0, hostEnd)) {
                return false;
            }
        }
        if (hostEnd == n) {
            return true;
        }
        return s.charAt(hostEnd) == ':' && port(s, hostEnd + 1, n) > 0;
    }

    /** The same checks on a host and port already split (HTTP/2 {@code :authority}); {@code port} -1 = none. */
    public static boolean isValidHostAndPort(String host, int port) {
        if (host == null
                || host.isEmpty()
                || host.length() > MAX_AUTHORITY_LENGTH - 6
                || port == 0
                || port > 65535
                || port < -1) {
            return false;
        }
        if (host.charAt(0) == '[') {
            return host.charAt(host.length() - 1) == ']' && isIpv6(host, 1, host.length() - 1);
        }
        return isRegName(host, 0, host.length());
    }

    /** True if {@code s} holds a character no header value may carry: CR, LF, NUL or another control but HTAB. */
    public static boolean hasControlCharacter(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRegName(CharSequence s, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isUnreserved(c)) {
                return false;
            }
        }
        return true;
    }

    /** The decimal port in {@code [from, to)}: 1–65535, 1–5 digits, no leading zero; else -1. */
    private static int port(CharSequence s, int from, int to) {
        int digits = to - from;
        if (digits < 1 || digits > 5 || s.charAt(from) == '0') {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 65535 ? value : -1;
    }

    /**
     * RFC 3986 §3.2.2 {@code IPv6address}: up to eight groups of 1–4 hex digits, at most one {@code ::}, optionally
     * ending in a dotted IPv4 address that counts as two groups.
     */
    private static boolean isIpv6(CharSequence s, int from, int to) {
        int groups = 0;
        boolean compressed = false;
        int i = from;
        if (to - from < 2) {
            return false;
        }
        if (s.charAt(i) == ':') {
            if (s.charAt(i + 1) != ':') {
                return false;
            }
            compressed = true;
            i += 2;
            if (i == to) {
                return true;
            }
        }
        while (i < to) {
            int start = i;
            while (i < to && i - start < 5 && isHex(s.charAt(i))) {
                i++;
            }
            if (i < to && s.charAt(i) == '.') {
                // A trailing IPv4 address: two groups' worth.
                return isIpv4(s, start, to) && groups + 2 <= (compressed ? 7 : 8) && (compressed || groups + 2 == 8);
            }
            int length = i - start;
            if (length == 0 || length > 4) {
                return false;
            }
            groups++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i < to && s.charAt(i) == ':') {
                if (compressed) {
                    return false;
                }
                compressed = true;
                i++;
                if (i == to) {
                    break;
                }
            } else if (i == to) {
                return false;
            }
        }
        return compressed ? groups <= 7 : groups == 8;
    }

    private static boolean isIpv4(CharSequence s, int from, int to) {
        int octets = 0;
        int i = from;
        while (octets < 4) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int length = i - start;
            if (length == 0 || value > 255 || (length > 1 && s.charAt(start) == '0')) {
                return false;
            }
            octets++;
            if (octets < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return false;
                }
                i++;
            }
        }
        return i == to;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int indexOf(CharSequence s, char c, int from) {
        for (int i = from, n = s.length(); i < n; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}

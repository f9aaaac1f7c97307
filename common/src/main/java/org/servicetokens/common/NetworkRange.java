package org.servicetokens.common;

import java.util.Arrays;

/**
 * One IPv4 or IPv6 CIDR range (RFC 4632 §3.1, RFC 4291 §2.3), parsed strictly and without any name lookup:
 * IPv4 as exactly four decimal octets without leading zeros ({@code 010.0.0.1} and {@code 1.2.3} are refused
 * because other parsers read them as octal or as shorthand); IPv6 in RFC 4291 §2.2 text (hex groups, one
 * {@code ::}, an IPv4 tail) without brackets or a zone; the prefix a decimal from 0 to 32 (IPv4) or 128 (IPv6) without
 * leading zeros. A bare address is the range of that one address ({@code /32}, {@code /128}). Bits set past the
 * prefix ({@code 10.1.2.3/8}) are refused, naming the range that was probably meant, rather than silently widened
 * or narrowed. IPv4-mapped IPv6 ranges ({@code ::ffff:10.0.0.0/104}) are refused: write them as IPv4, which is how
 * client addresses are compared ({@link #parseAddress} reads a mapped client address as IPv4).
 *
 * <p>{@link #toString()} is the normal form: IPv4 dotted decimal, IPv6 as RFC 5952 §4 recommends (lower case, no
 * leading zeros, the longest run of two or more zero groups shortened to {@code ::}), always with the prefix.
 */
public final class NetworkRange {

    /** Longest accepted text: a full IPv6 address with an IPv4 tail and a prefix is 49 characters. */
    public static final int MAX_TEXT = 64;

    private final byte[] network;
    private final int prefix;

    private NetworkRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * The range {@code text} denotes, by the rules of the class comment.
     *
     * @throws IllegalArgumentException with a message an admin can act on (it quotes the input only when short and
     *                                  printable)
     */
    public static NetworkRange parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("an empty range is not a CIDR range");
        }
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("a CIDR range is at most " + MAX_TEXT + " characters");
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] address = parseLiteral(addressText);
        if (address == null) {
            throw new IllegalArgumentException(
                    "'" + quoted(text) + "' is not an IPv4 or IPv6 CIDR range (such as 10.0.0.0/8 or 2001:db8::/32)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            prefix = parsePrefix(text.substring(slash + 1), bits);
            if (prefix < 0) {
                throw new IllegalArgumentException(
                        "'" + quoted(text) + "': the prefix after '/' must be a whole number from 0 to " + bits
                                + (bits == 32 ? " for IPv4" : " for IPv6") + ", without leading zeros");
            }
        }
        if (address.length == 16 && isIpv4Mapped(address) && prefix >= 96) {
            throw new IllegalArgumentException("'" + quoted(text) + "' is an IPv4-mapped IPv6 range: write it as IPv4");
        }
        byte[] masked = mask(address, prefix);
        if (!Arrays.equals(masked, address)) {
            throw new IllegalArgumentException("'" + quoted(text) + "' has address bits set past its /" + prefix
                    + " prefix; the range is " + new NetworkRange(masked, prefix));
        }
        return new NetworkRange(masked, prefix);
    }

    /**
     * A client address as Keycloak reports it ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1}, {@code fe80::1%2}):
     * 4 or 16 bytes, an IPv4-mapped IPv6 address as its 4 IPv4 bytes, a zone ignored; null when it is not an
     * address (then no range contains it).
     */
    public static byte[] parseAddress(String text) {
        if (text == null || text.length() > MAX_TEXT) {
            return null;
        }
        int zone = text.indexOf('%');
        byte[] address = parseLiteral(zone >= 0 && text.indexOf(':') >= 0 ? text.substring(0, zone) : text);
        if (address != null && address.length == 16 && isIpv4Mapped(address)) {
            return Arrays.copyOfRange(address, 12, 16);
        }
        return address;
    }

    /** True when {@code address} (from {@link #parseAddress}) is of this range's family and inside it. */
    public boolean contains(byte[] address) {
        return address != null && address.length == network.length && Arrays.equals(mask(address, prefix), network);
    }

    /** True for an IPv6 range. */
    public boolean ipv6() {
        return network.length == 16;
    }

    public int prefix() {
        return prefix;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NetworkRange range && range.prefix == prefix && Arrays.equals(range.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return (network.length == 4 ? ipv4Text(network, 0) : ipv6Text(network)) + "/" + prefix;
    }

    private static byte[] parseLiteral(String text) {
        if (text.isEmpty()) {
            return null;
        }
        return text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
    }

    /** Exactly four decimal octets, 0 to 255, without leading zeros. */
    static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                char c = part.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    /** RFC 4291 §2.2: eight groups of 1–4 hex digits, at most one {@code ::}, optionally an IPv4 address as the last 32 bits. */
    static byte[] parseIpv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap < 0 ? text : text.substring(0, gap);
        String tail = gap < 0 ? "" : text.substring(gap + 2);
        int[] headGroups = groups(head, gap < 0);
        int[] tailGroups = groups(tail, true);
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        // An IPv4 tail is allowed only at the very end.
        if (gap >= 0 && !head.isEmpty() && head.indexOf('.') >= 0) {
            return null;
        }
        int count = headGroups.length + tailGroups.length;
        if (gap < 0 ? count != 8 : count > 7) {
            return null;
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < headGroups.length; i++) {
            put(bytes, i, headGroups[i]);
        }
        for (int i = 0; i < tailGroups.length; i++) {
            put(bytes, 8 - tailGroups.length + i, tailGroups[i]);
        }
        return bytes;
    }

    /** The 16-bit groups of a colon-separated run (an IPv4 tail counts as two, allowed when {@code mayEndInIpv4}). */
    private static int[] groups(String run, boolean mayEndInIpv4) {
        if (run.isEmpty()) {
            return new int[0];
        }
        String[] parts = run.split(":", -1);
        int[] groups = new int[parts.length + 1];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == parts.length - 1 && mayEndInIpv4 && part.indexOf('.') >= 0) {
                byte[] ipv4 = parseIpv4(part);
                if (ipv4 == null) {
                    return null;
                }
                groups[n++] = ((ipv4[0] & 0xff) << 8) | (ipv4[1] & 0xff);
                groups[n++] = ((ipv4[2] & 0xff) << 8) | (ipv4[3] & 0xff);
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                int digit = Character.digit(part.charAt(j), 16);
                if (digit < 0 || part.charAt(j) > 'f') {
                    return null;
                }
                value = value * 16 + digit;
            }
            groups[n++] = value;
        }
        return Arrays.copyOf(groups, n);
    }

    private static void put(byte[] bytes, int group, int value) {
        bytes[group * 2] = (byte) (value >>> 8);
        bytes[group * 2 + 1] = (byte) value;
    }

    private static int parsePrefix(String text, int bits) {
        if (text.isEmpty() || text.length() > 3 || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= bits ? value : -1;
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] = (byte) (masked[i] & (0xff << (8 - keep)));
        }
        return masked;
    }

    private static String ipv4Text(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) + "." + (bytes[offset + 1] & 0xff) + "." + (bytes[offset + 2] & 0xff) + "."
                + (bytes[offset + 3] & 0xff);
    }

    /** RFC 5952 §4: lower case, no leading zeros, the first longest run of at least two zero groups as {@code ::}. */
    private static String ipv6Text(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[i * 2] & 0xff) << 8) | (bytes[i * 2 + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** Short printable input is echoed; anything else is replaced, so a message never carries what it cannot show. */
    private static String quoted(String text) {
        return text.length() <= MAX_TEXT && text.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? text : "(unprintable)";
    }
}

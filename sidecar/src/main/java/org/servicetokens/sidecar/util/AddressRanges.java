package org.servicetokens.sidecar.util;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of IP address ranges in CIDR notation (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6), e.g.
 * {@code ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]}; a bare address is a range of one. Used wherever the sidecar
 * trusts a peer by its address (the forward-auth endpoint's {@code forward-auth.trusted-proxies}); meant to be the
 * one parser and matcher for any such list (trusted front proxies, allowed networks).
 *
 * <p>Only literal addresses are accepted, never host names (no DNS lookup, ever): {@link #parse} reports one problem
 * per bad entry. An IPv4 address and its IPv4-mapped IPv6 form ({@code ::ffff:10.1.2.3}) are the same peer, so a
 * mapped address is matched against the IPv4 ranges. Immutable and thread-safe; {@link #contains} allocates only
 * the parsed address bytes.
 */
public final class AddressRanges {

  private static final AddressRanges NONE = new AddressRanges(List.of());

  /** One range: the network's bytes (4 or 16) and its prefix length in bits. */
  private record Range(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> ranges;

  private AddressRanges(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /** The empty list: contains no address (fail closed). */
  public static AddressRanges none() {
    return NONE;
  }

  /**
   * Parses {@code entries}; each bad one adds {@code "<key>: '<entry>' is not an IP address or CIDR range"} (or
   * names the bad prefix length) to {@code problems} and is left out. Host bits set below the prefix
   * ({@code 10.1.2.3/8}) are refused too: such an entry usually means a typo in the prefix.
   *
   * @param key the configuration key, for the messages
   */
  public static AddressRanges parse(String key, List<String> entries, List<String> problems) {
    List<Range> out = new ArrayList<>();
    for (String entry : entries == null ? List.<String>of() : entries) {
      String e = entry == null ? "" : entry.trim();
      int slash = e.indexOf('/');
      byte[] network = address(slash < 0 ? e : e.substring(0, slash));
      if (network == null) {
        problems.add(key + ": '" + entry + "' is not an IP address or CIDR range (host names are not accepted)");
        continue;
      }
      int max = network.length * 8;
      int prefix = max;
      if (slash >= 0) {
        String p = e.substring(slash + 1);
        prefix = p.matches("[0-9]{1,3}") ? Integer.parseInt(p) : -1;
        if (prefix < 0 || prefix > max) {
          problems.add(key + ": '" + entry + "' has a prefix length outside 0-" + max);
          continue;
        }
      }
      Range range = new Range(network, prefix);
      if (hostBits(network, prefix)) {
        problems.add(key + ": '" + entry + "' has host bits set below its prefix length");
        continue;
      }
      out.add(range);
    }
    return new AddressRanges(out);
  }

  /** Whether {@code address} (a literal IPv4 or IPv6 address, e.g. from {@code SocketAddress.hostAddress()}) is in a range. */
  public boolean contains(String address) {
    if (ranges.isEmpty() || address == null) {
      return false;
    }
    byte[] bytes = address(address);
    if (bytes == null) {
      return false;
    }
    byte[] v4 = mappedIpv4(bytes);
    for (Range r : ranges) {
      if (r.contains(bytes) || (v4 != null && r.contains(v4))) {
        return true;
      }
    }
    return false;
  }

  /** True if no range is listed. */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  private static boolean hostBits(byte[] network, int prefix) {
    for (int bit = prefix; bit < network.length * 8; bit++) {
      if ((network[bit / 8] & (0x80 >> (bit % 8))) != 0) {
        return true;
      }
    }
    return false;
  }

  /** {@code ::ffff:a.b.c.d} as its 4 IPv4 bytes, else null. */
  private static byte[] mappedIpv4(byte[] bytes) {
    if (bytes.length != 16) {
      return null;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return null;
      }
    }
    if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
      return null;
    }
    return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
  }

  /** A literal IPv4 (dotted quad, decimal, no leading zeros) or IPv6 address (optionally in brackets) as bytes, else null. */
  static byte[] address(String s) {
    if (s == null || s.isEmpty() || s.length() > 47) {
      return null;
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    return s.indexOf(':') >= 0 ? ipv6(s) : ipv4(s);
  }

  private static byte[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      // Leading zeros read as octal in some parsers (010 = 8): refused, so no two readers disagree.
      if (!p.matches("0|[1-9][0-9]{0,2}")) {
        return null;
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static byte[] ipv6(String s) {
    if (s.indexOf('%') >= 0) {
      return null; // zone identifiers name an interface, not an address
    }
    byte[] tail4 = null;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.') > lastColon) {
      tail4 = ipv4(s.substring(lastColon + 1));
      if (tail4 == null) {
        return null;
      }
      s = s.substring(0, lastColon + 1) + "0:0";
    }
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String[] head = gap < 0 ? s.split(":", -1) : split(s.substring(0, gap));
    String[] tail = gap < 0 ? new String[0] : split(s.substring(gap + 2));
    int groups = head.length + tail.length;
    if ((gap < 0 && groups != 8) || (gap >= 0 && groups > 7)) {
      return null;
    }
    byte[] out = new byte[16];
    if (!fill(head, out, 0) || !fill(tail, out, 16 - 2 * tail.length)) {
      return null;
    }
    if (tail4 != null) {
      System.arraycopy(tail4, 0, out, 12, 4);
    }
    return out;
  }

  private static String[] split(String s) {
    return s.isEmpty() ? new String[0] : s.split(":", -1);
  }

  private static boolean fill(String[] groups, byte[] out, int at) {
    for (String g : groups) {
      if (!g.matches("[0-9A-Fa-f]{1,4}")) {
        return false;
      }
      int v = Integer.parseInt(g, 16);
      out[at++] = (byte) (v >> 8);
      out[at++] = (byte) v;
    }
    return true;
  }
}

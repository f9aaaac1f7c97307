package org.servicetokens.sidecar.config;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the {@code cluster.*} keys name hosts and ports: read by the checks here and by the cluster transport
 * (JGroups), so both read them the same way. Pure functions, no DNS lookup.
 */
public final class ClusterAddresses {

    /** Failure detection (JGroups FD_SOCK2) listens on {@code cluster.port + FD_OFFSET}; all members must agree. */
    public static final int FD_OFFSET = 100;
    /** JGroups' symbolic bind addresses, accepted besides IP literals and host names. */
    public static final Set<String> BIND_KEYWORDS =
            Set.of("SITE_LOCAL", "NON_LOOPBACK", "LOOPBACK", "GLOBAL", "LINK_LOCAL");

    private static final Pattern LOOPBACK_V4 =
            Pattern.compile("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern LOOPBACK_V6 = Pattern.compile("(0{0,4}:){2,7}0{0,3}1");

    private ClusterAddresses() {}

    /**
     * Whether a configured host (bind address or member, without port) is certainly loopback, without a DNS
     * lookup: {@code localhost}, {@code LOOPBACK}, an IPv4 literal in 127.0.0.0/8, or {@code ::1}.
     */
    public static boolean isLoopbackHost(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost")
                || h.equals("LOOPBACK")
                || LOOPBACK_V4.matcher(h).matches()
                || LOOPBACK_V6.matcher(h).matches();
    }

    /** {@code host:port} (IPv6 as {@code [::1]:7800}); validated by ConfigValidator first. */
    public static InetSocketAddress parseMember(String member) {
        int colon = member.lastIndexOf(':');
        if (colon <= 0 || colon == member.length() - 1) {
            throw new IllegalArgumentException("expected host:port");
        }
        String host = member.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(member.substring(colon + 1));
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("expected host:port");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}

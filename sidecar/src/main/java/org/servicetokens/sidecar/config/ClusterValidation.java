package org.servicetokens.sidecar.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks of the {@code cluster.*} keys. Messages never echo {@code cluster.secret}, and echo member entries only
 * shortened (they are addresses, but a misplaced secret must not end up in a log either).
 */
final class ClusterValidation {

    /** Letters, digits and {@code . _ -}: safe in logs and in JGroups' cluster name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\\.?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");
    /** Long enough that guessing it is hopeless even offline (the derived key is AES-256). */
    static final int MIN_SECRET_LENGTH = 16;

    private ClusterValidation() {}

    static void validate(SidecarConfig.Cluster c, List<String> problems) {
        if (c.name == null || !NAME.matcher(c.name).matches()) {
            problems.add("cluster.name: must be 1-100 letters, digits, '.', '_' or '-'");
        }
        if (!c.members.isEmpty() && !c.dnsQuery.isEmpty()) {
            problems.add("cluster.members: set either cluster.members (static) or cluster.dns-query (DNS), not both");
        }
        for (String member : c.members) {
            if (!validMember(member)) {
                problems.add("cluster.members: '" + shortened(member) + "' is not host:port (IPv6 as [::1]:7800)");
            }
        }
        if (!c.dnsQuery.isEmpty() && !DNS_NAME.matcher(c.dnsQuery).matches()) {
            problems.add("cluster.dns-query: must be a DNS name, e.g. sidecar-headless.my-namespace.svc.cluster.local");
        }
        if (!"A".equals(c.dnsRecordType) && !"SRV".equals(c.dnsRecordType)) {
            problems.add("cluster.dns-record-type: must be A or SRV");
        }
        if (!c.bindAddress.isEmpty()
                && !ClusterAddresses.BIND_KEYWORDS.contains(c.bindAddress)
                && !HOST.matcher(c.bindAddress).matches()) {
            problems.add("cluster.bind-address: must be an IP address, a host name or one of "
                    + String.join(
                            ", ",
                            ClusterAddresses.BIND_KEYWORDS.stream().sorted().toList()));
        }
        if (c.port < 1 || c.port > 65535 - ClusterAddresses.FD_OFFSET) {
            problems.add("cluster.port: must be between 1 and " + (65535 - ClusterAddresses.FD_OFFSET)
                    + " (failure detection listens on port + " + ClusterAddresses.FD_OFFSET + ")");
        }
        if (c.secret == null || (!c.secret.isEmpty() && c.secret.length() < MIN_SECRET_LENGTH)) {
            problems.add(
                    "cluster.secret: must be at least " + MIN_SECRET_LENGTH + " characters (empty only on loopback)");
        } else if (c.secret.isEmpty() && c.enabled() && !loopbackOnly(c)) {
            // Without a secret anyone who reaches cluster.port joins and reads every session and exchanged token.
            problems.add("cluster.secret: required (at least " + MIN_SECRET_LENGTH + " random characters) for a cluster"
                    + " beyond loopback; without it only cluster.bind-address 127.0.0.1 (or ::1, localhost) with loopback"
                    + " cluster.members is allowed");
        }
    }

    /** Transport and every static member certainly on this host (a DNS query never is). */
    private static boolean loopbackOnly(SidecarConfig.Cluster c) {
        if (!c.dnsQuery.isEmpty() || c.bindAddress == null || !ClusterAddresses.isLoopbackHost(c.bindAddress)) {
            return false;
        }
        for (String member : c.members) {
            // A malformed member is reported on its own; it must not add a second, misleading problem here.
            if (validMember(member) && !ClusterAddresses.isLoopbackHost(member.substring(0, member.lastIndexOf(':')))) {
                return false;
            }
        }
        return true;
    }

    private static boolean validMember(String member) {
        if (member == null) {
            return false;
        }
        try {
            String host = ClusterAddresses.parseMember(member).getHostString();
            int colon = member.lastIndexOf(':');
            return HOST.matcher(member.substring(0, colon)).matches() && !host.isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String shortened(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() > 40 ? value.substring(0, 12) + "…" : value;
    }
}

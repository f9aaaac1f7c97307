package org.servicetokens.sidecar.util;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.servicetokens.common.NetworkRange;

/**
 * The client address of a request, as the sidecar judges it: the TCP peer, unless the peer is one of the trusted
 * front proxies ({@code listen.trusted-proxies}); then {@code X-Forwarded-For} is read from the right (the entry
 * the nearest proxy appended) past every entry that is itself a trusted proxy, and the first other entry is the
 * client. An entry that is not an address, or a forwarded chain made only of trusted proxies with nothing left of
 * them, makes the address unknown (null): no network range contains it, so a token limited to networks is refused
 * (fail closed). Nobody else's {@code X-Forwarded-For} is read, so a client cannot claim an address by sending the
 * header itself. Ports and brackets in entries are not accepted: the de-facto header carries bare addresses.
 */
public final class ClientAddresses {

    /** At most this many entries are read from the right; a longer chain is not believed. */
    static final int MAX_HOPS = 20;

    private final List<NetworkRange> trusted;

    /**
     * @param trustedProxies CIDR ranges or addresses of the front proxies, parsed strictly ({@link NetworkRange#parse})
     * @throws IllegalArgumentException naming the first malformed entry
     */
    public ClientAddresses(List<String> trustedProxies) {
        List<NetworkRange> ranges = new ArrayList<>();
        for (String proxy : trustedProxies == null ? List.<String>of() : trustedProxies) {
            ranges.add(NetworkRange.parse(proxy));
        }
        this.trusted = List.copyOf(ranges);
    }

    /**
     * The client address of {@code request}: its TCP peer, or, when that peer is a trusted proxy, what its
     * {@code X-Forwarded-For} names (see {@link #resolve(String, List)}). Read it before identity headers are stripped.
     *
     * @return the client address's bytes, or null when unknown
     */
    public byte[] resolve(HttpServerRequest request) {
        SocketAddress peer =
                request.connection() == null ? null : request.connection().remoteAddress();
        return resolve(
                peer == null ? null : peer.hostAddress(), request.headers().getAll("X-Forwarded-For"));
    }

    /**
     * @param peer           the connection's remote address ({@code SocketAddress.hostAddress()}), or null
     * @param forwardedFor   every {@code X-Forwarded-For} header value in order (possibly comma-joined lists), or empty
     * @return the client address's bytes ({@link NetworkRange#parseAddress}), or null when unknown
     */
    public byte[] resolve(String peer, List<String> forwardedFor) {
        byte[] address = NetworkRange.parseAddress(peer);
        if (address == null || !isTrusted(address) || forwardedFor == null || forwardedFor.isEmpty()) {
            return address;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",", -1)) {
                hops.add(hop.strip());
            }
        }
        for (int i = hops.size() - 1, read = 0; i >= 0; i--, read++) {
            if (read >= MAX_HOPS) {
                return null;
            }
            byte[] hop = NetworkRange.parseAddress(hops.get(i));
            if (hop == null) {
                return null;
            }
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return null;
    }

    private boolean isTrusted(byte[] address) {
        return trusted.stream().anyMatch(range -> range.contains(address));
    }

    /** An address's bytes as text (dotted IPv4, or eight IPv6 hex groups), e.g. for {@code X-Forwarded-For}; null for null. */
    public static String text(byte[] address) {
        if (address == null) {
            return null;
        }
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
                    + (address[3] & 0xff);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            text.append(i == 0 ? "" : ":")
                    .append(Integer.toHexString(((address[i] & 0xff) << 8) | (address[i + 1] & 0xff)));
        }
        return text.toString();
    }
}

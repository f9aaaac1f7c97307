package org.servicetokens.sidecar.endpoint;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.servicetokens.common.NetworkRange;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.util.HttpSyntax;

/**
 * The original request a forward-auth proxy asks about, read from the headers it sends (names from
 * {@code forward-auth.*}): method, request target, and optionally Host and scheme. Read only from a peer in
 * {@code forward-auth.trusted-proxies}; anything missing, repeated or malformed is refused, never guessed:
 * <ul>
 *   <li>peer not trusted → 403 {@code untrusted_proxy} (a client reaching the endpoint directly could otherwise name
 *   any method and path it likes);</li>
 *   <li>no method → 400 {@code missing_forwarded_method}; two (one header twice, or two of the listed names) →
 *   400 {@code ambiguous_forwarded_method}; the same for the target ({@code missing_forwarded_uri},
 *   {@code ambiguous_forwarded_uri}), the host ({@code ambiguous_forwarded_host}) and the scheme
 *   ({@code ambiguous_forwarded_proto});</li>
 *   <li>a target that is not origin-form ({@code /path?query}; an absolute URI, {@code *}, a fragment, a space or a
 *   control character such as CR LF) → 400 {@code invalid_forwarded_uri}; longer than
 *   {@code forward-auth.max-uri-length} → 414 {@code forwarded_uri_too_long}; a URL header
 *   ({@code X-Original-URL}, absolute) that is not {@code http(s)://host/…} → 400 {@code invalid_forwarded_uri};</li>
 *   <li>a host that is not a valid RFC 3986 host[:port] → 400 {@code invalid_host}; a scheme other than
 *   {@code http}/{@code https} → 400 {@code invalid_forwarded_proto}; a URL header whose host or scheme disagrees with
 *   the host or scheme header → 400 {@code ambiguous_forwarded_host} / {@code ambiguous_forwarded_proto}.</li>
 * </ul>
 * The method's spelling and the path's encoding are not judged here: the request screen and the path normaliser do
 * that, exactly as for proxied requests. Pure: no I/O, thread-safe.
 */
public final class ForwardedRequest {

    /** What was read: the method as sent, the origin-form target, and host / scheme (null when not named). */
    public record Original(String method, String target, String host, String scheme) {
        /** The target's path: up to the query. */
        public String rawPath() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    /** A refusal: status, JSON {@code error}, {@code reason}. */
    public record Refusal(int status, String error, String reason) {}

    /** Either {@link #original} or {@link #refusal} is set. */
    public record Result(Original original, Refusal refusal) {}

    private final List<NetworkRange> trusted;
    private final List<String> methodHeaders;
    private final List<String> uriHeaders;
    private final List<String> urlHeaders;
    private final List<String> hostHeaders;
    private final List<String> protoHeaders;
    private final int maxUriLength;

    /**
     * @param config {@code forward-auth.*}, checked at load ({@code trusted-proxies} parsed by {@link NetworkRange#parse},
     *               the same strict CIDR parser as {@code listen.trusted-proxies} and a token's allowed networks)
     * @throws IllegalArgumentException for a malformed range (the config check reports it first)
     */
    public ForwardedRequest(SidecarConfig.ForwardAuth config) {
        this.trusted = config.trustedProxies.stream().map(NetworkRange::parse).toList();
        this.methodHeaders = List.copyOf(config.methodHeaders);
        this.uriHeaders = List.copyOf(config.uriHeaders);
        this.urlHeaders = List.copyOf(config.urlHeaders);
        this.hostHeaders = List.copyOf(config.hostHeaders);
        this.protoHeaders = List.copyOf(config.protoHeaders);
        this.maxUriLength = config.maxUriLength;
    }

    /**
     * @param headers the forward-auth request's headers (names case-insensitive)
     * @param peer    the connection's peer address (literal IP), never a header's claim
     */
    public Result read(MultiMap headers, String peer) {
        byte[] address = NetworkRange.parseAddress(peer);
        if (address == null || trusted.stream().noneMatch(range -> range.contains(address))) {
            return refuse(403, "forbidden", "untrusted_proxy");
        }
        List<String> methods = all(headers, methodHeaders);
        if (methods.isEmpty()) {
            return refuse(400, "bad_request", "missing_forwarded_method");
        }
        if (methods.size() > 1) {
            return refuse(400, "bad_request", "ambiguous_forwarded_method");
        }
        List<String> hosts = all(headers, hostHeaders);
        if (hosts.size() > 1) {
            return refuse(400, "bad_request", "ambiguous_forwarded_host");
        }
        String host = hosts.isEmpty() ? null : hosts.get(0);
        if (host != null && !HttpSyntax.isValidAuthority(host)) {
            return refuse(400, "bad_request", "invalid_host");
        }
        List<String> protos = all(headers, protoHeaders);
        if (protos.size() > 1) {
            return refuse(400, "bad_request", "ambiguous_forwarded_proto");
        }
        String scheme = protos.isEmpty() ? null : protos.get(0).toLowerCase(Locale.ROOT);
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            return refuse(400, "bad_request", "invalid_forwarded_proto");
        }
        List<String> targets = all(headers, uriHeaders);
        List<String> urls = all(headers, urlHeaders);
        if (targets.size() + urls.size() == 0) {
            return refuse(400, "bad_request", "missing_forwarded_uri");
        }
        if (targets.size() + urls.size() > 1) {
            return refuse(400, "bad_request", "ambiguous_forwarded_uri");
        }
        String target = targets.isEmpty() ? urls.get(0) : targets.get(0);
        if (target.length() > maxUriLength) {
            return refuse(414, "request_too_large", "forwarded_uri_too_long");
        }
        if (!urls.isEmpty()) {
            // https://host[:port]/path?query, as ingress-nginx sends X-Original-URL.
            String lower = target.toLowerCase(Locale.ROOT);
            String urlScheme = lower.startsWith("https://") ? "https" : lower.startsWith("http://") ? "http" : null;
            if (urlScheme == null) {
                return refuse(400, "bad_request", "invalid_forwarded_uri");
            }
            int start = urlScheme.length() + 3;
            int slash = target.indexOf('/', start);
            int query = target.indexOf('?', start);
            int end = slash < 0 ? (query < 0 ? target.length() : query) : (query < 0 ? slash : Math.min(slash, query));
            String urlHost = target.substring(start, end);
            if (!HttpSyntax.isValidAuthority(urlHost)) {
                return refuse(400, "bad_request", "invalid_host");
            }
            if (host != null && !host.equalsIgnoreCase(urlHost)) {
                return refuse(400, "bad_request", "ambiguous_forwarded_host");
            }
            if (scheme != null && !scheme.equals(urlScheme)) {
                return refuse(400, "bad_request", "ambiguous_forwarded_proto");
            }
            host = urlHost;
            scheme = urlScheme;
            target = end == target.length()
                    ? "/"
                    : target.charAt(end) == '?' ? "/" + target.substring(end) : target.substring(end);
        }
        if (!isOriginForm(target)) {
            return refuse(400, "bad_request", "invalid_forwarded_uri");
        }
        return new Result(new Original(methods.get(0), target, host, scheme), null);
    }

    /**
     * RFC 9112 §3.2.1 origin-form as far as this layer can tell: starts with {@code /}, no fragment (never part of a
     * request target), no space or control character (which could only have arrived by a proxy's mistake). Which
     * characters a path may hold and how it is encoded is the path normaliser's, as for any request.
     */
    private static boolean isOriginForm(String target) {
        if (target.isEmpty() || target.charAt(0) != '/') {
            return false;
        }
        int q = target.indexOf('?');
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c == 0x7f || (c == '#' && q >= 0 && i > q)) {
                return false;
            }
        }
        return true;
    }

    /** Every value of every listed name (each header line counts; a comma-joined value is one, refused later). */
    private static List<String> all(MultiMap headers, List<String> names) {
        List<String> out = new ArrayList<>(1);
        for (String name : names) {
            out.addAll(headers.getAll(name));
        }
        return out;
    }

    private static Result refuse(int status, String error, String reason) {
        return new Result(null, new Refusal(status, error, reason));
    }
}

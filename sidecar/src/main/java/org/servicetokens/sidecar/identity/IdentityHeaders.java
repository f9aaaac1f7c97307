package org.servicetokens.sidecar.identity;

import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.util.SharedValues;

/**
 * The trust boundary towards the app. {@link #strip} runs on every request before anything is forwarded
 * (HTTP and WebSocket alike: an interceptor without the WebSocket flag is skipped on upgrades): it removes every header the app could mistake for ours, compared
 * after lower-casing and mapping {@code _} to {@code -} (many servers treat {@code X_Auth_User} as
 * {@code X-Auth-User}), plus the credential headers, the routing-override headers of {@code headers.strip-extra}
 * ({@code X-Original-URL} and friends, which frameworks honour to route past the policy), the sidecar's
 * cookies and the hop-by-hop headers meant for the sidecar alone. {@link #apply} then adds the identity of a
 * verified caller.
 */
public final class IdentityHeaders {

    public static final String ASSERTION = "X-Access-Jwt-Assertion";
    public static final String TYPE = "X-Auth-Type";
    public static final String SUBJECT = "X-Auth-Subject";
    public static final String USERNAME = "X-Auth-Username";
    public static final String EMAIL = "X-Auth-Email";
    public static final String CLIENT_ID = "X-Auth-Client-Id";
    public static final String TOKEN_NAME = "X-Auth-Token-Name";
    public static final String ROLES = "X-Auth-Roles";
    public static final String GROUPS = "X-Auth-Groups";

    private static final CharSequence FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
    private static final CharSequence FORWARDED_PROTO = HttpHeaders.createOptimized("X-Forwarded-Proto");
    private static final CharSequence FORWARDED_HOST = HttpHeaders.createOptimized("X-Forwarded-Host");
    private static final CharSequence HTTPS = HttpHeaders.createOptimized("https");
    private static final CharSequence HTTP = HttpHeaders.createOptimized("http");
    private static final CharSequence COOKIE = HttpHeaders.COOKIE;

    /** Exact names (canonical form) never passed through from the client. */
    private static final Set<String> RESERVED = Set.of(
            "x-access-jwt-assertion",
            "authorization",
            "proxy-authorization",
            "remote-user",
            "forwarded",
            "x-real-ip",
            "x-remote-user",
            "x-user",
            "x-email");
    /**
     * Hop-by-hop fields (RFC 9110 §7.6.1) meant for the sidecar alone, which the upstream proxy would otherwise copy
     * (it drops only Connection, Keep-Alive, TE, Trailer, Transfer-Encoding and Upgrade, and on WebSocket upgrades
     * nothing but Connection): an app must not act on a client's {@code HTTP2-Settings} or {@code Proxy-Connection}.
     * Connection, Upgrade and Transfer-Encoding stay for the proxy, which decides what the upstream gets.
     */
    private static final Set<String> HOP_BY_HOP =
            Set.of("keep-alive", "proxy-connection", "te", "trailer", "http2-settings");
    /**
     * Fields a {@code Connection} option may not remove: the sidecar frames and routes the request by them, and the
     * upstream proxy drops or rewrites each of them itself.
     */
    private static final Set<String> NOT_NOMINABLE =
            Set.of("host", "content-length", "transfer-encoding", "connection", "upgrade", "close");
    /** Whole families: ours now, ours tomorrow, or read as identity by common frameworks. */
    private static final List<String> RESERVED_PREFIXES = List.of("x-auth-", "x-forwarded-", "x-access-");

    private static final int SHORTEST_PREFIX = 7;
    private static final int LONGEST_EXACT = 64;

    private final Set<String> credentialHeaders = new HashSet<>();
    /** {@code headers.strip-extra}: routing-override and client-address headers (canonical form). */
    private final Set<String> extraHeaders = new HashSet<>();
    /** X-Forwarded-Proto / -Host from {@code listen.public-url}; null = from the request. */
    private final CharSequence publicProto;

    private final CharSequence publicHost;
    /** [first character][length] of every exact name: a header outside it needs no closer look. */
    private final boolean[][] exactShapes = new boolean[128][LONGEST_EXACT + 1];

    private final String cookiePrefix;
    /** The last Host seen and its safe form: one per verticle, and nearly always the same value. */
    private String lastHost;

    private String lastSafeHost;

    public IdentityHeaders(SidecarConfig config) {
        config.credentials.clientIdHeaders.forEach(h -> credentialHeaders.add(canonical(h)));
        config.credentials.clientSecretHeaders.forEach(h -> credentialHeaders.add(canonical(h)));
        config.headers.stripExtra.forEach(h -> extraHeaders.add(canonical(h)));
        this.cookiePrefix = config.cookies.name;
        RESERVED.forEach(this::addShape);
        HOP_BY_HOP.forEach(this::addShape);
        credentialHeaders.forEach(this::addShape);
        extraHeaders.forEach(this::addShape);
        java.net.URI publicUrl =
                config.listen.publicUrl.isEmpty() ? null : java.net.URI.create(config.listen.publicUrl);
        this.publicProto = publicUrl == null ? null : HttpHeaders.createOptimized(publicUrl.getScheme());
        this.publicHost = publicUrl == null ? null : HttpHeaders.createOptimized(publicUrl.getRawAuthority());
    }

    private void addShape(String canonicalName) {
        char first = canonicalName.charAt(0);
        if (first < 128 && canonicalName.length() <= LONGEST_EXACT) {
            exactShapes[first][canonicalName.length()] = true;
        }
    }

    static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean isStripped(String name) {
        if (name.isEmpty()) {
            return false;
        }
        char first = Character.toLowerCase(name.charAt(0));
        int length = name.length();
        boolean mayBeExact = first >= 128 || length > LONGEST_EXACT || exactShapes[first][length];
        boolean mayHavePrefix = (first == 'x' || first >= 128) && length >= SHORTEST_PREFIX;
        if (!mayBeExact && !mayHavePrefix) {
            return false;
        }
        String c = canonical(name);
        if (RESERVED.contains(c)
                || HOP_BY_HOP.contains(c)
                || credentialHeaders.contains(c)
                || extraHeaders.contains(c)) {
            return true;
        }
        for (String p : RESERVED_PREFIXES) {
            if (c.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes spoofable and credential headers, hop-by-hop headers, the headers named by {@code Connection} options
     * (RFC 9110 §7.6.1; except those in {@link #NOT_NOMINABLE}) and the sidecar's cookies, in place. This is the
     * client's request: the identity and X-Forwarded-* headers the sidecar adds go onto the upstream request later,
     * so no {@code Connection: X-Auth-Subject} can remove them.
     */
    public void strip(MultiMap headers) {
        List<String> doomed = new ArrayList<>(2);
        headers.forEach((name, value) -> {
            if (isStripped(name)) {
                doomed.add(name);
            } else if (name.length() == 10 && name.equalsIgnoreCase("connection")) {
                nominated(value, doomed);
            }
        });
        for (int i = 0; i < doomed.size(); i++) {
            headers.remove(doomed.get(i));
        }
        if (headers.contains(COOKIE)) {
            stripOurCookies(headers);
        }
    }

    /** Adds the fields named by one {@code Connection} value's options to {@code doomed}. */
    static void nominated(String value, List<String> doomed) {
        if (value.equalsIgnoreCase("keep-alive")
                || value.equalsIgnoreCase("close")
                || value.equalsIgnoreCase("upgrade")) {
            return;
        }
        int start = 0;
        for (int i = 0; i <= value.length(); i++) {
            if (i == value.length() || value.charAt(i) == ',') {
                String option = value.substring(start, i).trim().toLowerCase(Locale.ROOT);
                if (!option.isEmpty() && !NOT_NOMINABLE.contains(option)) {
                    doomed.add(option);
                }
                start = i + 1;
            }
        }
    }

    private void stripOurCookies(MultiMap headers) {
        List<String> kept = new ArrayList<>();
        for (String header : headers.getAll(COOKIE)) {
            for (String pair : header.split(";")) {
                String p = pair.trim();
                if (!p.isEmpty() && !isOurCookie(p)) {
                    kept.add(p);
                }
            }
        }
        headers.remove(COOKIE);
        if (!kept.isEmpty()) {
            headers.set(COOKIE, String.join("; ", kept));
        }
    }

    private boolean isOurCookie(String pair) {
        int eq = pair.indexOf('=');
        String name = (eq < 0 ? pair : pair.substring(0, eq)).trim();
        String bare = name.startsWith("__Host-")
                ? name.substring(7)
                : name.startsWith("__Secure-") ? name.substring(9) : name;
        return bare.regionMatches(true, 0, cookiePrefix, 0, cookiePrefix.length());
    }

    /**
     * X-Forwarded-* describe the client's request to us; added to every forwarded request, authenticated or not.
     * The peer comes from the connection, never from headers the client sent; proto and host from
     * {@code listen.public-url} when set, else from the connection and the (checked, single) Host. {@code headers}
     * is the upstream request's fresh header map: it holds none of these names (the client's own were stripped
     * before the proxy copied the rest in), so they are added, not set.
     */
    public void forwarded(HttpServerRequest request, MultiMap headers) {
        SocketAddress peer =
                request.connection() == null ? null : request.connection().remoteAddress();
        String remote = peer == null ? null : peer.hostAddress();
        if (remote != null) {
            headers.add(FORWARDED_FOR, remote);
        }
        headers.add(FORWARDED_PROTO, publicProto != null ? publicProto : request.isSSL() ? HTTPS : HTTP);
        HostAndPort authority = request.authority();
        if (publicHost != null) {
            headers.add(FORWARDED_HOST, publicHost);
        } else if (authority != null) {
            headers.add(FORWARDED_HOST, safeHost(authority.toString()));
        }
    }

    private String safeHost(String host) {
        if (!host.equals(lastHost)) {
            lastSafeHost = safe(host);
            lastHost = host;
        }
        return lastSafeHost;
    }

    /**
     * Adds the identity headers of a verified caller (built once per identity, values encoded as
     * {@link HeaderValues} describes; see {@link #forwarded}), and its access token as {@value #ASSERTION}. The token
     * comes from the request, not from the cached block: the verifier hands it over as the ASCII bytes it hashed
     * (an {@code AsciiString}: a verified compact JWS, only base64url characters and dots), copied as they are; any
     * other form is made {@link #safe} first.
     */
    public void apply(Identity id, MultiMap headers) {
        Block block = id.headerBlock();
        if (block == null) {
            block = new Block(id);
            id.headerBlock(block);
        }
        CharSequence token = id.tokenValue();
        if (token != null) {
            headers.add(Block.ASSERTION_NAME, token instanceof AsciiString ? token : safe(token.toString()));
        }
        CharSequence[] pairs = block.pairs;
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1]);
        }
    }

    /**
     * The headers one identity forwards but its token, as name/value pairs: safe values, pre-hashed names. Shared by
     * every request of the identity, hence without the token (each request brings its own).
     */
    static final class Block {

        private static final CharSequence ASSERTION_NAME = HttpHeaders.createOptimized(ASSERTION);
        private static final CharSequence TYPE_NAME = HttpHeaders.createOptimized(TYPE);
        private static final CharSequence SUBJECT_NAME = HttpHeaders.createOptimized(SUBJECT);
        private static final CharSequence USERNAME_NAME = HttpHeaders.createOptimized(USERNAME);
        private static final CharSequence EMAIL_NAME = HttpHeaders.createOptimized(EMAIL);
        private static final CharSequence CLIENT_ID_NAME = HttpHeaders.createOptimized(CLIENT_ID);
        private static final CharSequence TOKEN_NAME_NAME = HttpHeaders.createOptimized(TOKEN_NAME);
        private static final CharSequence ROLES_NAME = HttpHeaders.createOptimized(ROLES);
        private static final CharSequence GROUPS_NAME = HttpHeaders.createOptimized(GROUPS);

        private final CharSequence[] pairs;

        Block(Identity id) {
            List<CharSequence> p = new ArrayList<>(16);
            p.add(TYPE_NAME);
            p.add(id.type().wireName());
            add(p, SUBJECT_NAME, id.subject());
            add(p, USERNAME_NAME, id.username());
            add(p, EMAIL_NAME, id.email());
            add(p, CLIENT_ID_NAME, id.clientId());
            add(p, TOKEN_NAME_NAME, id.tokenName());
            // Lists: each element encoded on its own (HeaderValues), so a ',' or ':' in a name cannot forge another.
            List<String> roles = new ArrayList<>();
            for (String r : id.roles()) {
                roles.add(HeaderValues.element(r));
            }
            for (Map.Entry<String, List<String>> e : id.clientRoles().entrySet()) {
                String client = HeaderValues.element(e.getKey());
                for (String r : e.getValue()) {
                    roles.add(client + ":" + HeaderValues.element(r));
                }
            }
            // Shared between identities with the same roles (most of them): the cache holds one block per token.
            addEncoded(p, ROLES_NAME, SharedValues.of(HeaderValues.list(roles)));
            addEncoded(
                    p,
                    GROUPS_NAME,
                    SharedValues.of(HeaderValues.list(
                            id.groups().stream().map(HeaderValues::element).toList())));
            this.pairs = p.toArray(new CharSequence[0]);
        }

        private static void add(List<CharSequence> pairs, CharSequence name, String value) {
            if (value != null && !value.isEmpty()) {
                addEncoded(pairs, name, HeaderValues.single(value));
            }
        }

        private static void addEncoded(List<CharSequence> pairs, CharSequence name, String value) {
            if (value != null) {
                pairs.add(name);
                pairs.add(value);
            }
        }
    }

    /**
     * For {@code X-Forwarded-Host} (identity claims use {@link HeaderValues}): control characters are dropped and
     * non-ASCII is percent-encoded as UTF-8, so no value can split or corrupt the header block.
     */
    static String safe(String value) {
        StringBuilder sb = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean plain = c >= 0x20 && c < 0x7f && c != '%';
            if (plain && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (plain) {
                sb.append(c);
            } else if (c == '%' || c > 0x7f) {
                int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
                for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    sb.append('%').append(String.format("%02X", b & 0xff));
                }
                i = end - 1;
            }
        }
        return sb == null ? value : sb.toString();
    }
}

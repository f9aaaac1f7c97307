package org.servicetokens.sidecar.pipeline;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.servicetokens.sidecar.http.Http1Framing;
import org.servicetokens.sidecar.util.HttpSyntax;

/**
 * The first look at every request, before routing: what the policy and the app will read must be what the
 * client meant, or the request is refused. Checks, in order:
 * <ol>
 *   <li><b>Method</b> (RFC 9110 §9.1, methods are case-sensitive tokens): a known method spelt in another case
 *   ({@code delete}, {@code Get}) or a non-token → 400 {@code bad_method} (apps that upper-case the method would
 *   run a handler the policy never judged); a method not in {@code listen.methods} (TRACE and CONNECT by default)
 *   → 405 {@code method_not_allowed} with {@code Allow}.</li>
 *   <li><b>Host</b> (RFC 9112 §3.2, RFC 3986 §3.2.2): exactly one valid Host on HTTP/1.x; on HTTP/2 a valid
 *   {@code :authority} and at most one {@code host} equal to it (RFC 9113 §8.3.1); an absolute-form target
 *   ({@code GET http://a/x}) must be http(s) and name the Host's authority (RFC 9112 §3.2.2). Otherwise 400
 *   {@code invalid_host}.</li>
 *   <li><b>Header values</b> on HTTP/2: CR, LF, NUL or another control character → 400
 *   {@code invalid_header_value} (HTTP/2 framing would carry them, and the HTTP/1.1 request to the app would
 *   split on them). On HTTP/1.x the decoder refuses them already; {@link #invalidRequest} answers those.</li>
 *   <li><b>A WebSocket upgrade with content</b> ({@code Content-Length} other than 0, or {@code Transfer-Encoding}):
 *   400 {@code content_with_upgrade}. The handshake is a GET without content (RFC 6455 §4.1); the proxy would send
 *   those bytes after the head, where an app that refuses the upgrade reads them as its next request.</li>
 *   <li><b>HTTP/2 {@code :path}</b> must be origin-form (start with {@code /}) → else 400 {@code path_not_absolute};
 *   its query must hold no control character or space → else 400 {@code invalid_request_target}.</li>
 * </ol>
 * One instance per verticle. The common request (known method, one plain Host, HTTP/1.1 origin-form) costs one
 * pass over the header names and the Host's characters and allocates nothing.
 */
public final class RequestScreen {

    /** Why a request was refused: status, the JSON {@code error} and {@code reason}. */
    public enum Refusal {
        BAD_METHOD(400, "bad_request", "bad_method"),
        METHOD_NOT_ALLOWED(405, "method_not_allowed", "method_not_allowed"),
        INVALID_HOST(400, "bad_request", "invalid_host"),
        INVALID_HEADER_VALUE(400, "bad_request", "invalid_header_value"),
        PATH_NOT_ABSOLUTE(400, "bad_request", "path_not_absolute"),
        INVALID_REQUEST_TARGET(400, "bad_request", "invalid_request_target"),
        CONTENT_WITH_UPGRADE(400, "bad_request", "content_with_upgrade");

        public final int status;
        public final String error;
        public final String reason;

        Refusal(int status, String error, String reason) {
            this.status = status;
            this.error = error;
            this.reason = reason;
        }
    }

    /** Every method RFC 9110 and RFC 5789 define: their other spellings are refused as {@code bad_method}. */
    private static final List<String> STANDARD_METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final Set<String> allowed;
    private final Set<String> known;
    private final String allowHeader;
    private final AccessLog accessLog;

    /**
     * @param methods the allowed methods ({@code listen.methods}): exact, upper-case tokens, checked at config load
     * @param accessLog where refusals are logged and counted
     */
    public RequestScreen(List<String> methods, AccessLog accessLog) {
        this.allowed = Set.copyOf(methods);
        Set<String> all = new LinkedHashSet<>(STANDARD_METHODS);
        all.addAll(methods);
        this.known = Set.copyOf(all);
        this.allowHeader = String.join(", ", methods);
        this.accessLog = accessLog;
    }

    /** Lets the request through (true), or answers it here and returns false. */
    public boolean admit(HttpServerRequest request) {
        Refusal refusal = check(request);
        if (refusal == null) {
            return true;
        }
        RequestContext context = accessLog.begin(request);
        if (refusal == Refusal.METHOD_NOT_ALLOWED) {
            context.response().putHeader(HttpHeaders.ALLOW, allowHeader);
        }
        context.decided("deny", refusal.reason);
        Answers.refuse(context, refusal.status, refusal.error, refusal.reason);
        return false;
    }

    /**
     * The method rule for a method named by a forward-auth proxy (the original request's): the same check as
     * {@link #admit}'s first, answered the same way (400 {@code bad_method}, or 405 with {@code Allow}). Returns true
     * if the method may be judged, else answers {@code context} and returns false.
     */
    public boolean admitMethod(RequestContext context, String method) {
        Refusal refusal = method(method);
        if (refusal == null) {
            return true;
        }
        if (refusal == Refusal.METHOD_NOT_ALLOWED) {
            context.response().putHeader(HttpHeaders.ALLOW, allowHeader);
        }
        context.decided("deny", refusal.reason);
        Answers.refuse(context, refusal.status, refusal.error, refusal.reason);
        return false;
    }

    Refusal check(HttpServerRequest request) {
        Refusal refusal = method(request.method().name());
        if (refusal != null) {
            return refusal;
        }
        return request.version() == HttpVersion.HTTP_2 ? http2(request) : http1(request);
    }

    Refusal method(String name) {
        if (allowed.contains(name)) {
            return null;
        }
        if (!HttpSyntax.isToken(name)) {
            return Refusal.BAD_METHOD;
        }
        String upper = name.toUpperCase(Locale.ROOT);
        return !upper.equals(name) && known.contains(upper) ? Refusal.BAD_METHOD : Refusal.METHOD_NOT_ALLOWED;
    }

    private static Refusal http1(HttpServerRequest request) {
        MultiMap headers = request.headers();
        CharSequence host = null;
        int hosts = 0;
        CharSequence upgrade = null;
        CharSequence length = null;
        boolean chunked = false;
        if (headers instanceof io.netty.handler.codec.http.HttpHeaders netty) {
            // Vert.x's HTTP/1 headers: walk the entries without turning names or values into Strings; the name's length
            // picks the one comparison worth making.
            Iterator<Map.Entry<CharSequence, CharSequence>> it = netty.iteratorCharSequence();
            while (it.hasNext()) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                CharSequence name = e.getKey();
                switch (name.length()) {
                    case 4 -> {
                        if (AsciiString.contentEqualsIgnoreCase(HttpHeaderNames.HOST, name)) {
                            hosts++;
                            host = e.getValue();
                        }
                    }
                    case 7 -> {
                        if (AsciiString.contentEqualsIgnoreCase(HttpHeaderNames.UPGRADE, name)) {
                            upgrade = e.getValue();
                        }
                    }
                    case 14 -> {
                        if (AsciiString.contentEqualsIgnoreCase(HttpHeaderNames.CONTENT_LENGTH, name)) {
                            length = e.getValue();
                        }
                    }
                    case 17 -> chunked |= AsciiString.contentEqualsIgnoreCase(HttpHeaderNames.TRANSFER_ENCODING, name);
                    default -> {}
                }
            }
        } else {
            List<String> all = headers.getAll(HttpHeaderNames.HOST);
            hosts = all.size();
            host = hosts == 0 ? null : all.get(0);
            upgrade = headers.get(HttpHeaderNames.UPGRADE);
            length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
            chunked = headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
        }
        if (hosts != 1 || !HttpSyntax.isValidAuthority(host)) {
            return Refusal.INVALID_HOST;
        }
        if (upgrade != null
                && (chunked || (length != null && !AsciiString.contentEquals("0", length)))
                && AsciiString.containsIgnoreCase(upgrade, "websocket")) {
            return Refusal.CONTENT_WITH_UPGRADE;
        }
        String uri = request.uri();
        if (!uri.isEmpty() && uri.charAt(0) != '/' && uri.indexOf("://") >= 0 && !absoluteFormMatches(uri, host)) {
            return Refusal.INVALID_HOST;
        }
        return null;
    }

    /** {@code http://host[:port]/…} or https, naming exactly the Host header's authority (case-insensitively). */
    static boolean absoluteFormMatches(String uri, CharSequence host) {
        int start;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            start = 7;
        } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            start = 8;
        } else {
            return false;
        }
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
            end++;
        }
        return end - start == host.length() && uri.regionMatches(true, start, host.toString(), 0, host.length());
    }

    private static Refusal http2(HttpServerRequest request) {
        HostAndPort authority = request.authority(true);
        if (authority == null || !HttpSyntax.isValidHostAndPort(authority.host(), authority.port())) {
            // Clients must send :authority (RFC 9113 §8.3.1); without it Vert.x has already dropped every host header,
            // so duplicates could not be seen.
            return Refusal.INVALID_HOST;
        }
        int hosts = 0;
        for (Map.Entry<String, String> e : request.headers()) {
            String name = e.getKey();
            if (HttpSyntax.hasControlCharacter(e.getValue())) {
                return Refusal.INVALID_HEADER_VALUE;
            }
            if (name.equalsIgnoreCase("host")) {
                HostAndPort h = HostAndPort.parseAuthority(e.getValue(), -1);
                if (++hosts > 1
                        || h == null
                        || !h.host().equalsIgnoreCase(authority.host())
                        || h.port() != authority.port()) {
                    return Refusal.INVALID_HOST;
                }
            }
        }
        String uri = request.uri();
        if (uri == null || uri.isEmpty() || uri.charAt(0) != '/') {
            return Refusal.PATH_NOT_ABSOLUTE;
        }
        // The path is PathNormalizer's; the query goes upstream as sent, into an HTTP/1.1 request line, where a
        // control character or a space would end it. (HTTP/1.1 request lines cannot carry them in the first place.)
        int query = uri.indexOf('?');
        if (query >= 0) {
            for (int i = query + 1; i < uri.length(); i++) {
                char c = uri.charAt(i);
                if (c <= 0x20 || c == 0x7f) {
                    return Refusal.INVALID_REQUEST_TARGET;
                }
            }
        }
        return null;
    }

    /**
     * What the HTTP/1 decoder refused (a malformed request line or header, a bare CR or LF, a NUL, a line or head
     * too long, and the framings {@link Http1Framing} and {@code ChunkedBodyCheck} refuse: a version other than
     * HTTP/1.1 or HTTP/1.0, Transfer-Encoding with Content-Length, any Transfer-Encoding but {@code chunked}, a bad
     * Content-Length, a malformed chunked body) gets a JSON answer too, 400 with the reason (never Vert.x's 501), and
     * the connection is closed: the stream can no longer be trusted.
     */
    public void invalidRequest(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        int status = 400;
        String reason = "malformed_request";
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            reason = "request_line_too_long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            reason = "header_too_large";
        } else if (cause instanceof Http1Framing.FramingException) {
            reason = cause.getMessage();
        } else if (isContentLengthFault(cause)) {
            reason = "invalid_content_length";
        } else if (isHeaderValueFault(cause)) {
            reason = "invalid_header_value";
        } else if (cause instanceof IllegalArgumentException
                && cause.getMessage() != null
                && cause.getMessage().startsWith("Illegal character in HTTP Method")) {
            reason = "bad_method";
        }
        RequestContext context = accessLog.begin(request);
        context.decided("deny", reason);
        context.response().putHeader(HttpHeaders.CONNECTION, "close");
        Answers.json(context.response(), status, status == 400 ? "bad_request" : "request_too_large", reason)
                .onComplete(ar -> request.connection().close());
    }

    /** Netty's own refusal of a Content-Length (not a number, negative, several in HTTP/1.1; pinned by tests). */
    private static boolean isContentLengthFault(Throwable cause) {
        String message = cause == null ? null : cause.getMessage();
        return cause instanceof IllegalArgumentException
                && message != null
                && (message.startsWith("Content-Length value") || message.startsWith("Multiple Content-Length"));
    }

    /**
     * The decoder's words (Vert.x's header validator, Netty's strict line parser; pinned by tests) for a header value
     * with a control character, and for a CR or LF that is not part of a CR LF line end.
     */
    private static boolean isHeaderValueFault(Throwable cause) {
        if (cause == null) {
            return false;
        }
        if (cause.getClass().getSimpleName().equals("InvalidLineSeparatorException")) {
            return true;
        }
        String message = cause.getMessage();
        return cause instanceof IllegalArgumentException
                && message != null
                && (message.startsWith("a header value") || message.startsWith("only '"));
    }
}

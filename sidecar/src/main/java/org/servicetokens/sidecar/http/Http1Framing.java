package org.servicetokens.sidecar.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Where an HTTP/1.x request ends, decided one way only (RFC 9112 §6). A front proxy, the sidecar and the app must
 * all find the same end of every request on a connection, or bytes one of them takes for a body another takes for
 * the next request (request smuggling, RFC 9112 §11.2). So every framing that parsers are known to read differently
 * is refused, before anything is forwarded, with 400 and the connection closed (nginx and Envoy decide the same way;
 * never 501, which would be a 5xx for bad input):
 * <ul>
 *   <li>a version other than exactly {@code HTTP/1.1} or {@code HTTP/1.0} ({@code HTTP/2.0} in a request line, the
 *   HTTP/2 preface when h2c is off, {@code http/1.1}, {@code HTTP/1.2}, {@code HTTP/3}):
 *   {@code unsupported_http_version} (RFC 9112 §2.3: the version is case-sensitive);</li>
 *   <li>{@code Transfer-Encoding} together with {@code Content-Length}: {@code transfer_encoding_with_content_length}
 *   (RFC 9112 §6.1 lets a server reject it; Netty alone would drop the Content-Length and read on);</li>
 *   <li>any {@code Transfer-Encoding} but one field whose value is the single coding {@code chunked} (any case):
 *   {@code xchunked}, {@code chunked, identity}, {@code "chunked"}, {@code identity}, two fields, a folded value, or
 *   any Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: "MUST treat it as faulty"):
 *   {@code unsupported_transfer_encoding};</li>
 *   <li>two or more {@code Content-Length} fields or a list (even of equal values), or a value that is not 1 to 18
 *   decimal digits (a sign, hex, spaces, empty): {@code invalid_content_length} (RFC 9112 §6.3 rule 5).</li>
 * </ul>
 * The chunked body itself is checked as it arrives ({@link ChunkedBodyCheck}).
 */
public final class Http1Framing {

    /** A request whose framing is refused; {@link #getMessage()} is the reason code. No stack trace: it is routine. */
    public static final class FramingException extends IllegalArgumentException {
        public FramingException(String reason) {
            super(reason);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    static final String UNSUPPORTED_VERSION = "unsupported_http_version";
    static final String TE_WITH_CL = "transfer_encoding_with_content_length";
    static final String UNSUPPORTED_TE = "unsupported_transfer_encoding";
    static final String INVALID_CL = "invalid_content_length";
    /** A Content-Length up to 18 digits always fits a long. */
    private static final int MAX_CONTENT_LENGTH_DIGITS = 18;

    private Http1Framing() {}

    /** The request line's version, exactly as sent: only {@code HTTP/1.1} and {@code HTTP/1.0} pass. */
    static void checkVersion(String version) {
        if (!"HTTP/1.1".equals(version) && !"HTTP/1.0".equals(version)) {
            throw new FramingException(UNSUPPORTED_VERSION);
        }
    }

    /** The same on a version Netty already parsed (leniently): only its two constants are the real thing. */
    static void checkVersion(HttpVersion version) {
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            throw new FramingException(UNSUPPORTED_VERSION);
        }
    }

    /**
     * Checks the framing header fields as received (before Netty's own framing decision removes anything), and
     * writes an accepted {@code Transfer-Encoding} as {@code chunked} in lower case: the upstream proxy compares it
     * case-sensitively. Costs two hash lookups for a request without a body.
     *
     * @throws FramingException with the reason, for every case listed in the class comment
     */
    static void check(HttpVersion version, HttpHeaders headers) {
        boolean hasLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean hasEncoding = headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
        if (!hasLength && !hasEncoding) {
            return;
        }
        if (hasLength && hasEncoding) {
            throw new FramingException(TE_WITH_CL);
        }
        if (hasLength) {
            List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
            if (lengths.size() != 1 || !isDecimal(lengths.get(0))) {
                throw new FramingException(INVALID_CL);
            }
            return;
        }
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (version != HttpVersion.HTTP_1_1
                || codings.size() != 1
                || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(codings.get(0))) {
            throw new FramingException(UNSUPPORTED_TE);
        }
        if (!HttpHeaderValues.CHUNKED.contentEquals(codings.get(0))) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
    }

    private static boolean isDecimal(String value) {
        int n = value.length();
        if (n == 0 || n > MAX_CONTENT_LENGTH_DIGITS) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}

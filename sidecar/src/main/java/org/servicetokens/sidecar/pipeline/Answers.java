package org.servicetokens.sidecar.pipeline;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.servicetokens.sidecar.http.StrictRequestDecoder;

/** The sidecar's own answers: JSON {@code {"error","reason"}}, never cached, never echoing request data. */
public final class Answers {

    private Answers() {}

    public static void json(RoutingContext ctx, int status, String error, String reason) {
        json(ctx.response(), status, error, reason);
    }

    /** Writes the answer; the future completes once it is written (at once if a response was already under way). */
    public static Future<Void> json(HttpServerResponse response, int status, String error, String reason) {
        if (response.ended() || response.headWritten()) {
            return Future.succeededFuture();
        }
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        return response.end(
                new JsonObject().put("error", error).put("reason", reason).encode());
    }

    public static void refuse(RoutingContext ctx, int status, String error, String reason) {
        refuse(RequestContext.of(ctx), status, error, reason);
    }

    /**
     * Answers a request we will not forward. If it may still be sending a body we do not want to read (a refused
     * 100 MB upload), the answer says {@code Connection: close}, and the connection is closed once the answer is
     * written and the body has been read to its end (closing earlier could turn the answer into a reset); no further
     * request on it is answered (RFC 9112 §9.6). Bodiless requests keep their keep-alive connection. A body held
     * back for {@code Expect: 100-continue} is never sent, so that connection is closed as soon as the answer is
     * written (RFC 9110 §10.1.1).
     */
    public static void refuse(RequestContext context, int status, String error, String reason) {
        HttpServerRequest request = context.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean mayHaveBody =
                request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.equals("0"));
        // HTTP/2 has no Connection header (RFC 9113 §8.2.2): the stream ends with the answer, the connection stays.
        boolean close = !request.isEnded() && mayHaveBody && request.version() != HttpVersion.HTTP_2;
        if (close) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        Future<Void> written = json(context.response(), status, error, reason);
        if (close) {
            StrictRequestDecoder.readNoFurtherRequest(request);
            Future<Void> done = request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)
                    ? written
                    : Future.join(written, request.end()).mapEmpty();
            done.onComplete(ar -> request.connection().close());
        }
        request.resume();
    }
}

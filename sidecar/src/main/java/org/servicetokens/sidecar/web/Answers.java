package org.servicetokens.sidecar.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The sidecar's own answers: JSON {@code {"error","reason"}}, never cached, never echoing request data. */
public final class Answers {

  private Answers() {
  }

  public static void json(RoutingContext ctx, int status, String error, String reason) {
    json(ctx.response(), status, error, reason);
  }

  static void json(HttpServerResponse response, int status, String error, String reason) {
    if (response.ended() || response.headWritten()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.end(new JsonObject().put("error", error).put("reason", reason).encode());
  }

  public static void refuse(RoutingContext ctx, int status, String error, String reason) {
    refuse(Exchange.of(ctx), status, error, reason);
  }

  /**
   * Answers a request we will not forward. If it may still be sending a body we do not want to read (a refused
   * 100 MB upload), the connection closes after the answer; bodiless requests keep their keep-alive connection.
   */
  public static void refuse(Exchange exchange, int status, String error, String reason) {
    HttpServerRequest request = exchange.request();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean mayHaveBody = request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.equals("0"));
    if (!request.isEnded() && mayHaveBody) {
      exchange.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    json(exchange.response(), status, error, reason);
    request.resume();
  }
}

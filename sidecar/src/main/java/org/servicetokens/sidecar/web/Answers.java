package org.servicetokens.sidecar.web;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The sidecar's own answers: JSON {@code {"error","reason"}}, never cached, never echoing request data. */
public final class Answers {

  private Answers() {
  }

  public static void json(RoutingContext ctx, int status, String error, String reason) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.headWritten()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store");
    response.end(new JsonObject().put("error", error).put("reason", reason).encode());
  }

  /**
   * Answers a request we will not forward. If it may still be sending a body we do not want to read (a refused
   * 100 MB upload), the connection closes after the answer; bodiless requests keep their keep-alive connection.
   */
  public static void refuse(RoutingContext ctx, int status, String error, String reason) {
    var request = ctx.request();
    String length = request.getHeader("Content-Length");
    boolean mayHaveBody = request.getHeader("Transfer-Encoding") != null || (length != null && !length.equals("0"));
    if (!request.isEnded() && mayHaveBody) {
      ctx.response().putHeader("Connection", "close");
    }
    json(ctx, status, error, reason);
    ctx.request().resume();
  }
}

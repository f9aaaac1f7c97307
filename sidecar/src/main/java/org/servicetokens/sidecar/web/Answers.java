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

  /** Answers a request whose body we will not read: the connection closes after, so no body is left unread. */
  public static void refuse(RoutingContext ctx, int status, String error, String reason) {
    if (!ctx.request().isEnded()) {
      ctx.response().putHeader("Connection", "close");
    }
    json(ctx, status, error, reason);
    ctx.request().resume();
  }
}

package org.servicetokens.sidecar.util;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Shared services (JWKS source, token grants) complete their futures on whatever event loop did the I/O.
 * A request must continue on its own verticle's event loop (its verifier, its proxy client, its response):
 * this hops the completion back there.
 */
public final class Contexts {

    private Contexts() {}

    public static <T> Future<T> on(Context context, Future<T> future) {
        if (future.isComplete() && Context.isOnEventLoopThread() && context == io.vertx.core.Vertx.currentContext()) {
            return future;
        }
        Promise<T> promise = Promise.promise();
        future.onComplete(ar -> {
            if (context == io.vertx.core.Vertx.currentContext()) {
                promise.handle(ar);
            } else {
                context.runOnContext(v -> promise.handle(ar));
            }
        });
        return promise.future();
    }
}

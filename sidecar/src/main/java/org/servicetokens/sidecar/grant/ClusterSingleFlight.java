package org.servicetokens.sidecar.grant;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.identity.AuthenticationFailure;

/**
 * Single flight of exchanges across replicas. The first replica to {@code putIfAbsent} an in-flight marker for
 * a credential (atomic cluster-wide: the key's primary owner decides) calls Keycloak; the others poll their
 * local copy of the replicated caches until its token (or refusal) arrives, which happens before the leader
 * removes its marker because the leader's cache write completes only once every replica has applied it.
 *
 * <p>The marker expires on its own after {@code maxWait}, so a leader that dies mid-call blocks nobody for long;
 * a follower that finds the marker gone and nothing cached (the leader got a 503, or its token was too short-lived
 * to cache) tries to lead itself; a follower still waiting at the deadline answers 503. The cluster being in
 * trouble never blocks an exchange: a failed marker write means "lead".
 */
final class ClusterSingleFlight {

    private static final Logger LOG = Logger.getLogger(ClusterSingleFlight.class.getName());
    private static final long POLL_MS = 20;

    private final Vertx vertx;
    private final Cache<String, String> markers;
    private final String self = UUID.randomUUID().toString();
    private final long maxWaitMs;

    ClusterSingleFlight(Vertx vertx, SidecarCaches caches, Duration maxWait) {
        this.vertx = vertx;
        this.markers = caches.grantsInFlight();
        this.maxWaitMs = maxWait.toMillis();
    }

    /**
     * Runs {@code call} here, or waits for another replica's outcome, which {@code lookup} reads from the shared
     * caches (null while there is none).
     */
    Future<String> run(String key, Supplier<Future<String>> call, Supplier<Future<String>> lookup) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        return attempt(key, call, lookup, deadline, vertx.getOrCreateContext());
    }

    private Future<String> attempt(
            String key,
            Supplier<Future<String>> call,
            Supplier<Future<String>> lookup,
            long deadline,
            Context context) {
        return Future.fromCompletionStage(
                        markers.putIfAbsentAsync(key, self, maxWaitMs, TimeUnit.MILLISECONDS), context)
                .recover(err -> {
                    LOG.warning("exchange in-flight marker not written ("
                            + err.getClass().getSimpleName() + "); calling Keycloak");
                    return Future.succeededFuture(null);
                })
                .compose(holder -> {
                    if (holder == null) {
                        return call.get()
                                .eventually(() -> Future.fromCompletionStage(markers.removeAsync(key, self), context)
                                        .recover(err -> Future.succeededFuture()));
                    }
                    return follow(key, call, lookup, deadline, context);
                });
    }

    private Future<String> follow(
            String key,
            Supplier<Future<String>> call,
            Supplier<Future<String>> lookup,
            long deadline,
            Context context) {
        Promise<String> promise = Promise.promise();
        context.runOnContext(v -> vertx.setTimer(POLL_MS, id -> {
            Future<String> found = lookup.get();
            if (found != null) {
                found.onComplete(promise);
            } else if (System.nanoTime() - deadline > 0) {
                promise.fail(AuthenticationFailure.unavailable("keycloak_unavailable", 1));
            } else if (markers.get(key) == null) {
                attempt(key, call, lookup, deadline, context).onComplete(promise);
            } else {
                follow(key, call, lookup, deadline, context).onComplete(promise);
            }
        }));
        return promise.future();
    }
}

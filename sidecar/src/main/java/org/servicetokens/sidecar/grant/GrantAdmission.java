package org.servicetokens.sidecar.grant;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.identity.AuthenticationFailure;

/**
 * Bounds the calls to Keycloak that anonymous clients can cause. Every call for a credential this replica has not
 * seen succeed needs a token from a bucket for its client ID ({@code exchange.calls-per-client-per-minute}) and
 * from the replica-wide bucket ({@code exchange.calls-per-second}, {@code exchange.calls-burst}). Without a
 * per-client token the answer is 429 at once; without a replica-wide one the exchange waits in a bounded FIFO
 * ({@code exchange.call-queue}, at most {@code exchange.call-queue-timeout}), so a bot's first exchange during a
 * flood waits its turn instead of being refused, and only what overflows the queue gets 429. A refusal here is a
 * local decision: it never counts as a Keycloak failure for the circuit breaker.
 *
 * <p>Credentials that succeeded before on this replica (their cache key, kept in a bounded LRU that only successful
 * exchanges write) skip both buckets: a flood of junk cannot delay a known bot's next exchange. The per-client
 * buckets live in a bounded LRU too ({@value #MAX_CLIENT_BUCKETS} client IDs); forgetting one only hands that
 * client ID a fresh allowance, which the replica-wide bucket still bounds. Shared by all event loops; each answer
 * comes back on the caller's context.
 */
public final class GrantAdmission {

    static final int MAX_CLIENT_BUCKETS = 10_000;

    private final Vertx vertx;
    private final TokenBucket total;
    private final int perClientPerMinute;
    private final int maxQueue;
    private final long maxWaitNanos;
    private final Map<String, TokenBucket> perClient = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > MAX_CLIENT_BUCKETS;
        }
    };
    private final Map<String, Boolean> knownGood;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private long timerId = -1;

    private record Waiter(Promise<Void> promise, Context context, long deadline) {}

    public GrantAdmission(Vertx vertx, SidecarConfig.ClientCredentials config) {
        this.vertx = vertx;
        this.total = new TokenBucket(config.callsBurst, config.callsPerSecond, System.nanoTime());
        this.perClientPerMinute = config.callsPerClientPerMinute;
        this.maxQueue = config.callQueue;
        this.maxWaitNanos = config.callQueueTimeout.toNanos();
        int knownMax = config.maxEntries;
        this.knownGood = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > knownMax;
            }
        };
    }

    /**
     * Succeeds when a call to Keycloak for {@code key} (client ID + secret hash) may go out now; fails with
     * {@link AuthenticationFailure} 429 ({@code client_rate_limited} or {@code exchange_rate_limited}) otherwise.
     */
    public Future<Void> admit(String clientId, String key) {
        long now = System.nanoTime();
        Context context = Vertx.currentContext();
        synchronized (this) {
            if (knownGood.get(key) != null) {
                return Future.succeededFuture();
            }
            TokenBucket mine = perClient.computeIfAbsent(
                    clientId, id -> new TokenBucket(perClientPerMinute, perClientPerMinute / 60.0, now));
            if (!mine.tryTake(now)) {
                return Future.failedFuture(
                        AuthenticationFailure.rateLimited("client_rate_limited", seconds(mine.nanosUntilNext(now))));
            }
            if (queue.isEmpty() && total.tryTake(now)) {
                return Future.succeededFuture();
            }
            if (queue.size() >= maxQueue) {
                return Future.failedFuture(
                        AuthenticationFailure.rateLimited("exchange_rate_limited", seconds(maxWaitNanos)));
            }
            Promise<Void> promise = Promise.promise();
            queue.add(new Waiter(promise, context, now + maxWaitNanos));
            schedule(now);
            return promise.future();
        }
    }

    /** A call for {@code key} succeeded: later calls for it are not limited. */
    public synchronized void succeeded(String key) {
        knownGood.put(key, Boolean.TRUE);
    }

    /** Exchanges waiting for a call now (for metrics and tests). */
    public synchronized int waiting() {
        return queue.size();
    }

    private void drain() {
        List<Runnable> answers = new ArrayList<>();
        synchronized (this) {
            timerId = -1;
            long now = System.nanoTime();
            for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (now - w.deadline() >= 0) {
                    it.remove();
                    answers.add(answer(
                            w, AuthenticationFailure.rateLimited("exchange_rate_limited", seconds(maxWaitNanos))));
                }
            }
            while (!queue.isEmpty() && total.tryTake(now)) {
                answers.add(answer(queue.poll(), null));
            }
            schedule(now);
        }
        answers.forEach(Runnable::run);
    }

    /** Wakes up for the next token or the next deadline, whichever comes first. Called holding the lock. */
    private void schedule(long now) {
        if (queue.isEmpty() || timerId >= 0) {
            return;
        }
        long wait = Math.min(total.nanosUntilNext(now), queue.peek().deadline() - now);
        timerId = vertx.setTimer(Math.max(1, wait / 1_000_000), id -> drain());
    }

    private static Runnable answer(Waiter w, AuthenticationFailure failure) {
        Runnable complete = () -> {
            if (failure == null) {
                w.promise().tryComplete();
            } else {
                w.promise().tryFail(failure);
            }
        };
        return w.context() == null ? complete : () -> w.context().runOnContext(v -> complete.run());
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}

package org.servicetokens.sidecar.keycloak;

import java.time.Duration;

/**
 * Keeps the sidecar from queueing requests behind a Keycloak that is down: after {@code threshold}
 * consecutive failures it opens for {@code openDuration} (calls fail fast with 503 + Retry-After), then lets
 * one trial call through (half-open); that call's outcome closes or re-opens it. Shared by all verticles;
 * touched only on real token-endpoint calls, never on cache hits, so the lock is cold.
 */
public final class CircuitBreaker {

    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final int threshold;
    private final long openNanos;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private boolean trialInFlight;

    public CircuitBreaker(int threshold, Duration openDuration) {
        this.threshold = threshold;
        this.openNanos = openDuration.toNanos();
    }

    /** True when a call may go out now. */
    public synchronized boolean tryAcquire() {
        if (state == State.OPEN && System.nanoTime() - openedAt >= openNanos) {
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        switch (state) {
            case CLOSED:
                return true;
            case HALF_OPEN:
                if (trialInFlight) {
                    return false;
                }
                trialInFlight = true;
                return true;
            default:
                return false;
        }
    }

    public synchronized void onSuccess() {
        state = State.CLOSED;
        failures = 0;
        trialInFlight = false;
    }

    /**
     * The call allowed by {@link #tryAcquire} ended without telling anything about Keycloak (our own queue was full,
     * or it was cut): a half-open breaker lets the next trial through.
     */
    public synchronized void release() {
        if (state == State.HALF_OPEN) {
            trialInFlight = false;
        }
    }

    public synchronized void onFailure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= threshold) {
            state = State.OPEN;
            openedAt = System.nanoTime();
            trialInFlight = false;
        }
    }

    /** Seconds until a trial call will be allowed (at least 1), for Retry-After. */
    public synchronized long retryAfterSeconds(long fallback) {
        if (state != State.OPEN) {
            return fallback;
        }
        long left = openNanos - (System.nanoTime() - openedAt);
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    /** Open and not yet due for a trial: a call now would be refused (no side effect, unlike {@link #tryAcquire}). */
    public synchronized boolean refusing() {
        return state == State.OPEN && System.nanoTime() - openedAt < openNanos;
    }

    public synchronized State state() {
        return state;
    }
}

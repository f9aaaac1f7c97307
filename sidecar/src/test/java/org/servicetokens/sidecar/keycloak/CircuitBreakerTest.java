package org.servicetokens.sidecar.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    @Test
    void opensAfterThresholdThenAllowsOneTrial() throws Exception {
        CircuitBreaker b = new CircuitBreaker(2, Duration.ofMillis(200));
        assertTrue(b.tryAcquire());
        b.onFailure();
        assertTrue(b.tryAcquire());
        b.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, b.state());
        assertFalse(b.tryAcquire());
        assertEquals(1, b.retryAfterSeconds(5));
        Thread.sleep(250);
        assertTrue(b.tryAcquire(), "one trial");
        assertFalse(b.tryAcquire(), "only one");
        b.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, b.state(), "a failed trial re-opens");
        Thread.sleep(250);
        assertTrue(b.tryAcquire());
        b.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, b.state());
        assertEquals(5, b.retryAfterSeconds(5));
    }
}

package org.servicetokens.keycloak.model;

/**
 * A pause between claiming a background effect (an expiry-warning mail, a push attempt) and performing it, set only by
 * tests through the system property {@code service-tokens.test.effect-delay-millis} (default 0: no pause). It holds
 * open the window in which another node's job runs, so a test can show that the claim, not luck, keeps the effect
 * single.
 */
public final class EffectDelay {

    private static final long MILLIS = Long.getLong("service-tokens.test.effect-delay-millis", 0L);

    private EffectDelay() {}

    public static void pause() {
        if (MILLIS <= 0) {
            return;
        }
        try {
            Thread.sleep(MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

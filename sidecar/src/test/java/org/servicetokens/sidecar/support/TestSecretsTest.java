package org.servicetokens.sidecar.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.servicetokens.keycloak.model.TokenSecrets;

/** The test secrets are what the provider itself would accept, and the broken ones what it would not. */
class TestSecretsTest {

    @Test
    void secretsHaveThePublishedShapeAsTheProviderChecksIt() {
        for (int i = 0; i < 200; i++) {
            String secret = i % 2 == 0 ? TestSecrets.random() : TestSecrets.of("seed-" + i);
            assertTrue(TokenSecrets.isWellFormed(secret), secret);
            assertFalse(TokenSecrets.isWellFormed(TestSecrets.withBadChecksum(secret)));
            assertTrue(TokenSecrets.isWellFormed(TestSecrets.wrong(secret)));
            assertNotEquals(secret, TestSecrets.wrong(secret));
        }
        assertEquals(TestSecrets.of("ci-bot"), TestSecrets.of("ci-bot"), "deterministic per seed");
        String generated = TokenSecrets.generate();
        String body = generated.substring(5, 48);
        assertEquals(
                generated, TestSecrets.PREFIX + body + TestSecrets.checksum(body), "same checksum as the provider");
    }
}

package org.servicetokens.keycloak.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TokenSecretsTest {

    @Test
    void generatedSecretsHaveThePublishedFormatAndAreUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            String secret = TokenSecrets.generate();
            assertEquals(TokenSecrets.LENGTH, secret.length());
            assertTrue(TokenSecrets.FORMAT.matcher(secret).matches());
            assertTrue(TokenSecrets.isWellFormed(secret));
            assertTrue(seen.add(secret));
        }
    }

    @Test
    void checksumCatchesTyposWithoutHashing() {
        String secret = TokenSecrets.generate();
        char[] typo = secret.toCharArray();
        typo[10] = typo[10] == 'a' ? 'b' : 'a';
        assertFalse(TokenSecrets.isWellFormed(new String(typo)));
        assertFalse(TokenSecrets.isWellFormed(secret.substring(0, secret.length() - 1)));
        assertFalse(TokenSecrets.isWellFormed(secret + "x"));
        assertFalse(TokenSecrets.isWellFormed("KCST_" + secret.substring(5)));
        assertFalse(TokenSecrets.isWellFormed(null));
        assertFalse(TokenSecrets.isWellFormed(""));
        assertFalse(TokenSecrets.isWellFormed(secret.replace(secret.charAt(20), '-')));
    }

    @Test
    void onlyTheHashMatches() {
        String secret = TokenSecrets.generate();
        String hash = TokenSecrets.hash(secret);
        assertFalse(hash.contains(secret.substring(5, 20)));
        assertTrue(TokenSecrets.matches(secret, hash));
        assertFalse(TokenSecrets.matches(TokenSecrets.generate(), hash));
        assertFalse(TokenSecrets.matches(secret, null));
        assertFalse(TokenSecrets.matches(null, hash));
        assertFalse(TokenSecrets.matches(secret, "%%% not base64 %%%"));
        assertNotEquals(hash, TokenSecrets.hash(TokenSecrets.generate()));
    }
}

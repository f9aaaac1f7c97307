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

    @Test
    void secretIdsNameOneSecretInOneGenerationAndNothingElse() {
        String hash = TokenSecrets.hash(TokenSecrets.generate());
        String id = TokenSecrets.secretId(hash, 0);
        assertEquals(TokenSecrets.SECRET_ID_LENGTH, id.length());
        assertTrue(id.matches("[A-Za-z0-9_-]{12}"), id);
        assertEquals(id, TokenSecrets.secretId(hash, 0), "stable");
        assertNotEquals(id, TokenSecrets.secretId(hash, 1), "a new generation renames the same secret");
        assertNotEquals(id, TokenSecrets.secretId(TokenSecrets.hash(TokenSecrets.generate()), 0), "another secret");
        assertFalse(hash.startsWith(id), "not a piece of the stored hash");
        assertEquals(null, TokenSecrets.secretId(null, 0));
    }
}

package org.servicetokens.sidecar.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.util.RandomTokens;

class PkceTest {

    @Test
    void challengeIsS256AsInRfc7636AppendixB() {
        assertEquals(
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                Pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    @Test
    void verifiersAndTokensAre256RandomBitsInTheUnreservedAlphabet() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String v = Pkce.verifier();
            assertEquals(43, v.length(), "RFC 7636 §4.1: 43..128 characters");
            assertTrue(v.matches("[A-Za-z0-9_-]{43}"), v);
            assertTrue(RandomTokens.isToken(v));
            assertTrue(seen.add(v), "no repeats");
        }
    }

    @Test
    void isTokenRefusesAnythingElse() {
        assertFalse(RandomTokens.isToken(null));
        assertFalse(RandomTokens.isToken(""));
        assertFalse(RandomTokens.isToken("a".repeat(42)));
        assertFalse(RandomTokens.isToken("a".repeat(44)));
        assertFalse(RandomTokens.isToken("a".repeat(42) + "="));
        assertFalse(RandomTokens.isToken("a".repeat(42) + ";"));
        assertTrue(RandomTokens.isToken("a".repeat(43)));
    }
}

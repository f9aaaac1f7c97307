package org.servicetokens.sidecar.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.util.RandomTokens;

class CsrfTokenTest {

    @Test
    void theTokenBelongsToOneSessionAndRevealsNothingOfIt() {
        String session = RandomTokens.next();
        String token = CsrfToken.forSession(session);
        assertEquals(token, CsrfToken.forSession(session), "stable: every replica derives the same");
        assertNotEquals(session, token);
        assertTrue(CsrfToken.matches(session, token));
        assertFalse(CsrfToken.matches(RandomTokens.next(), token), "another session's token");
        assertFalse(CsrfToken.matches(session, token.substring(1)));
        assertFalse(CsrfToken.matches(session, ""));
        assertFalse(CsrfToken.matches(session, null));
        assertFalse(CsrfToken.matches(null, token));
    }
}

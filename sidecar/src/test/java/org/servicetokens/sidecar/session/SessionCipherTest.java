package org.servicetokens.sidecar.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.util.RandomTokens;

/** What the shared cache holds: neither the session id nor the tokens, and nothing that opens without the id. */
class SessionCipherTest {

    @Test
    void sealedUnderTheSessionIdAndFiledUnderADifferentHash() {
        String id = RandomTokens.next();
        String json = "{\"rt\":\"refresh-token-value\"}";
        String sealed = SessionCipher.encrypt(id, json);
        assertFalse(sealed.contains("refresh-token-value"));
        assertFalse(SessionCipher.cacheKey(id).contains(id));
        assertEquals(json, SessionCipher.decrypt(id, sealed));
        assertNotEquals(sealed, SessionCipher.encrypt(id, json), "a fresh IV every time");
        assertNull(SessionCipher.decrypt(RandomTokens.next(), sealed), "another id cannot open it");
        byte[] bytes = Base64.getDecoder().decode(sealed);
        bytes[bytes.length - 1] ^= 1;
        assertNull(SessionCipher.decrypt(id, Base64.getEncoder().encodeToString(bytes)), "tampering is detected");
        assertNull(SessionCipher.decrypt(id, "not base64 !"));
    }

    @Test
    void recordsRoundTripWithoutShowingTokens() {
        SessionRecord r = new SessionRecord("sub", "sid", "at", "rt", "it", 10, 20, 5);
        assertEquals(r, SessionRecord.fromJson(r.toJson()));
        assertFalse(r.toString().contains("rt,") || r.toString().contains("at="), r.toString());
    }
}

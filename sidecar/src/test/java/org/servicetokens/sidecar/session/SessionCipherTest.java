package org.servicetokens.sidecar.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.util.Hashing;
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
        char[] chars = sealed.toCharArray();
        chars[chars.length - 1] ^= 1;
        assertNull(SessionCipher.decrypt(id, new String(chars)), "tampering is detected");
        assertNull(SessionCipher.decrypt(id, "not base64 !"));
        assertNull(SessionCipher.decrypt(id, String.valueOf(SessionCipher.COMPACT)));
        assertNull(SessionCipher.decrypt(id, ""));
    }

    @Test
    void compactFormIsSmallerThanTheJsonAndOneBytePerChar() {
        String id = RandomTokens.next();
        String header =
                "eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJYdjNjMGlYZDZVbWcwcFI3ckdqOGY2eU4yeDVRa00xc1Q5YUJjRGVGZ0hpIn0";
        String json = new SessionRecord("sub", "sid", header + ".a.b", header + ".c.d", header + ".e.f", 10, 20, 5)
                .toJson()
                .encode();
        String sealed = SessionCipher.encrypt(id, json);
        assertEquals(SessionCipher.COMPACT, sealed.charAt(0));
        assertTrue(sealed.chars().allMatch(c -> c < 256), "Latin-1: one byte per char on the heap");
        assertTrue(sealed.length() < json.length(), sealed.length() + " vs " + json.length());
        assertEquals(json, SessionCipher.decrypt(id, sealed));
    }

    /** The form sidecars stored before the compact one: Base64 of IV + AES-GCM of the plain JSON. Still read. */
    @Test
    void readsTheOlderBase64Form() throws Exception {
        String id = RandomTokens.next();
        String json = "{\"rt\":\"refresh-token-value\"}";
        byte[] iv = new byte[12];
        byte[] key = Hashing.sha256(("sidecar-session-key|" + id).getBytes(StandardCharsets.US_ASCII));
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        cipher.updateAAD(SessionCipher.cacheKey(id).getBytes(StandardCharsets.US_ASCII));
        byte[] sealed = cipher.doFinal(json.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[12 + sealed.length];
        System.arraycopy(sealed, 0, out, 12, sealed.length);
        String old = Base64.getEncoder().encodeToString(out);
        assertEquals(json, SessionCipher.decrypt(id, old));
        assertNull(SessionCipher.decrypt(RandomTokens.next(), old));
    }

    @Test
    void recordsRoundTripWithoutShowingTokens() {
        SessionRecord r = new SessionRecord("sub", "sid", "at", "rt", "it", 10, 20, 5);
        assertEquals(r, SessionRecord.fromJson(r.toJson()));
        assertFalse(r.toString().contains("rt,") || r.toString().contains("at="), r.toString());
    }
}

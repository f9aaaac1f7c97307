package org.servicetokens.sidecar.jwt;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.identity.Identity;

class VerifiedTokensTest {

    private static Identity identity(String token, long exp) {
        return new Identity(
                Identity.Type.USER, "s", null, null, "c", null, null, List.of(), Map.of(), List.of(), 0, exp, token);
    }

    @Test
    void tokensWithTheSameTailAreStillDifferentTokens() {
        VerifiedTokens cache = new VerifiedTokens(10);
        String tail = ".the-same-signature-tail-0123456789";
        Identity verified = identity("header.payloadA" + tail, Long.MAX_VALUE / 2);
        cache.put(verified.token(), verified);
        assertSame(
                verified,
                cache.get(new String("header.payloadA" + tail), 0, 0),
                "a fresh String of the same token hits");
        assertNull(cache.get("header.payloadB" + tail, 0, 0), "a forged payload with the same tail misses");
    }

    @Test
    void expiredAndForgottenTokensAreGone() {
        VerifiedTokens cache = new VerifiedTokens(10);
        Identity expired = identity("a.b.c", 100);
        cache.put("a.b.c", expired);
        assertNull(cache.get("a.b.c", 200, 30));
        Identity live = identity("d.e.f", 1000);
        cache.put("d.e.f", live);
        cache.remove("d.e.f");
        assertNull(cache.get("d.e.f", 200, 30));
    }

    @Test
    void theOldestTokenMakesRoom() {
        VerifiedTokens cache = new VerifiedTokens(2);
        cache.put("t1", identity("t1", 1000));
        cache.put("t2", identity("t2", 1000));
        cache.put("t3", identity("t3", 1000));
        assertNull(cache.get("t1", 0, 0));
    }
}

package org.servicetokens.sidecar.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * A JWS in compact serialisation is three parts of unpadded base64url (RFC 7515 §2, §7.1), and each token has one
 * spelling. The signature part was decoded leniently: {@code =} padding, the standard alphabet's {@code +} and
 * {@code /}, or other trailing bits in its last character still verified, so one token had many spellings (each a
 * separate cache entry, each passing checks keyed by the token's text). Now any part not in the strict form is
 * refused as {@code malformed_token} before the signature is checked.
 */
class JwtEncodingTest {

    @RegisterExtension
    static final Harness h = new Harness();

    @Test
    void strictUnpaddedBase64UrlOnly() {
        for (String ok :
                List.of("AA", "AAA", "AAAA", "eyJhbGciOiJSUzI1NiJ9", "-_-_", "AQ", "AQI", "Zm9v", "Zm8", "Zg")) {
            assertTrue(JwtVerifier.isBase64Url(ok), ok);
        }
        for (String bad : List.of(
                "",
                "A",
                "AAAAA",
                "AA==",
                "AAA=",
                "Zg==",
                "Zm8=",
                "A+B/",
                "AB C",
                "AB\u00e9",
                "AB.",
                // Non-zero bits after the last full byte: "AB" is the byte 0x00 with 4 stray bits, "AAB" two stray
                // bits.
                "AB",
                "AAB",
                "Zh",
                "Zm9")) {
            assertFalse(JwtVerifier.isBase64Url(bad), bad);
        }
    }

    @TestFactory
    Stream<DynamicTest> onlyTheCanonicalSpellingOfATokenIsAccepted() {
        String token = h.validToken();
        String[] parts = token.split("\\.");
        String sig = parts[2];
        char last = sig.charAt(sig.length() - 1);
        int value = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(last);
        String strayBits = sig.substring(0, sig.length() - 1)
                + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(value ^ 1);
        String head = parts[0] + "." + parts[1] + ".";
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest(
                "the canonical token", () -> assertEquals(200, call(token).status())));
        List<String[]> variants = List.of(
                new String[] {"signature padded with ==", head + sig + "=="},
                new String[] {"signature padded with =", head + sig + "="},
                new String[] {
                    "signature of a length no byte string encodes to",
                    head + sig + "AAAA".substring(0, (5 - sig.length() % 4) % 4)
                },
                new String[] {"signature with stray trailing bits", head + strayBits},
                new String[] {
                    "signature in the standard alphabet",
                    head + sig.replace('-', '+').replace('_', '/') + "+/"
                },
                new String[] {"header padded", parts[0] + "=." + parts[1] + "." + sig},
                new String[] {"payload padded", parts[0] + "." + parts[1] + "=." + sig},
                new String[] {"payload in the standard alphabet", parts[0] + "." + parts[1] + "+." + sig});
        for (String[] v : variants) {
            tests.add(DynamicTest.dynamicTest(v[0], () -> {
                h.upstream.reset();
                Http.Response r = call(v[1]);
                assertEquals(401, r.status(), v[0] + ": " + r.body());
                assertEquals("malformed_token", new JsonObject(r.body()).getString("reason"), v[0]);
                assertEquals(0, h.upstream.hits.get());
            }));
        }
        return tests.stream();
    }

    private static Http.Response call(String token) {
        return h.http.get("/x", "Authorization", "Bearer " + token, "Accept", "application/json");
    }
}

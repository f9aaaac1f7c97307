package org.servicetokens.sidecar.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The identity header encodings: every value is a valid HTTP field value, and percent-decoding (after splitting
 * lists on {@code ,} and client roles on {@code :}) gives back exactly the claim.
 */
class HeaderValuesTest {

    private static final List<String> TRICKY = List.of(
            "plain",
            "alice, bob",
            "a,b",
            "x,demo-app",
            "demo-app:admin",
            "100%",
            "%41",
            "a\r\nX-Auth-Subject: root",
            "tab\there",
            " lead",
            "trail ",
            " ",
            "  both  ",
            "J\u00f6rg",
            "\u00dcnits/Team A",
            "caf\u00e9\u0301",
            "\ud83d\ude00 smile",
            "nul\u0000",
            "del\u007f",
            "\"quoted\"",
            "a;b=c",
            "semi;colon",
            "plus+sign",
            "/team/ops",
            "~tilde_under.dot-dash",
            "\u212Aelvin",
            "\u0000",
            "");

    @Test
    void singleValuesStayReadableAndValid() {
        assertEquals("alice@example.com", HeaderValues.single("alice@example.com"));
        assertEquals("reports bot", HeaderValues.single("reports bot"), "inner spaces stay");
        assertEquals("J%C3%B6rg%2C CEO%0D%0A", HeaderValues.single("J\u00f6rg, CEO\r\n"));
        assertEquals("%20lead", HeaderValues.single(" lead"));
        assertEquals("trail%20", HeaderValues.single("trail "));
        assertEquals("100%25", HeaderValues.single("100%"));
        assertEquals("%F0%9F%98%80", HeaderValues.single("\ud83d\ude00"));
        assertEquals("%EF%BF%BDx", HeaderValues.single("\ud83dx"), "a lone surrogate is not text");
        for (String s : TRICKY) {
            String encoded = HeaderValues.single(s);
            assertValidFieldValue(encoded, s);
            assertFalse(encoded.contains(","), "no value reads as a list: " + encoded);
            assertEquals(s, decode(encoded), "round trip of " + printable(s));
        }
    }

    @Test
    void listElementsKeepOnlyUnreservedAndSlash() {
        assertEquals("x%2Cdemo-app", HeaderValues.element("x,demo-app"));
        assertEquals("a%3Ab", HeaderValues.element("a:b"));
        assertEquals("/Team%20A/x%2Cy", HeaderValues.element("/Team A/x,y"));
        assertEquals("/%C3%9Cnits", HeaderValues.element("/\u00dcnits"));
        assertEquals("reader", HeaderValues.element("reader"));
        assertNull(HeaderValues.list(List.of()));
        for (String s : TRICKY) {
            String encoded = HeaderValues.element(s);
            assertTrue(encoded.matches("[A-Za-z0-9._~/%-]*"), printable(s) + " → " + encoded);
            assertEquals(s, decode(encoded), "round trip of " + printable(s));
        }
    }

    /** Property: any realm roles and client roles, encoded into one header, parse back to exactly themselves. */
    @Test
    void rolesParseBackExactlyWhateverTheNames() {
        Random random = new Random(11);
        String alphabet = ",:%/ a\r\n\u00e9\ud83d\ude00-_.~\"";
        for (int round = 0; round < 500; round++) {
            List<String> realm = names(random, alphabet);
            Map<String, List<String>> clients = Map.of(name(random, alphabet), names(random, alphabet));
            List<String> elements = new ArrayList<>();
            realm.forEach(r -> elements.add(HeaderValues.element(r)));
            clients.forEach(
                    (c, rs) -> rs.forEach(r -> elements.add(HeaderValues.element(c) + ":" + HeaderValues.element(r))));
            String header = HeaderValues.list(elements);
            if (header == null) {
                continue;
            }
            assertValidFieldValue(header, header);
            List<String> parsedRealm = new ArrayList<>();
            List<String> parsedClient = new ArrayList<>();
            for (String element : header.split(",", -1)) {
                int colon = element.indexOf(':');
                if (colon < 0) {
                    parsedRealm.add(decode(element));
                } else {
                    assertEquals(colon, element.lastIndexOf(':'), "one ':' per client role");
                    parsedClient.add(
                            decode(element.substring(0, colon)) + "\u0001" + decode(element.substring(colon + 1)));
                }
            }
            assertEquals(realm, parsedRealm);
            List<String> expected = new ArrayList<>();
            clients.forEach((c, rs) -> rs.forEach(r -> expected.add(c + "\u0001" + r)));
            assertEquals(expected, parsedClient);
        }
    }

    private static List<String> names(Random random, String alphabet) {
        List<String> out = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            out.add(name(random, alphabet));
        }
        return out;
    }

    private static String name(Random random, String alphabet) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + random.nextInt(6); i > 0; i--) {
            int at = random.nextInt(alphabet.length());
            char c = alphabet.charAt(at);
            sb.append(
                    Character.isHighSurrogate(c)
                            ? alphabet.substring(at, at + 2)
                            : Character.isLowSurrogate(c) ? "x" : c);
        }
        return sb.toString();
    }

    /** RFC 9110 §5.5 field-value: visible ASCII and inner SP only, no leading or trailing whitespace. */
    private static void assertValidFieldValue(String encoded, String from) {
        for (char c : encoded.toCharArray()) {
            assertTrue(
                    c == ' ' || c > 0x20 && c < 0x7f,
                    "invalid character in " + encoded + " (from " + printable(from) + ")");
        }
        assertFalse(encoded.startsWith(" ") || encoded.endsWith(" "), "edge space in " + encoded);
    }

    /** Plain percent-decoding as UTF-8 (not form decoding: '+' stays '+'). */
    static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
    }
}

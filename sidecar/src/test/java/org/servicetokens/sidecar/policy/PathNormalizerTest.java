package org.servicetokens.sidecar.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

    @ParameterizedTest
    @CsvSource({
        "/, /",
        "/a/b, /a/b",
        "//admin, /admin",
        "/a//b///c, /a/b/c",
        "/a/./b, /a/b",
        "/a/b/.., /a/",
        "/a/b/../c, /a/c",
        "/public/../admin, /admin",
        "/a/, /a/",
        "/%41%7e%2d%5F, /A~-_",
        "/a%20b, /a%20b",
        "/a%3fb, /a%3Fb",
        "/caf%C3%A9, /caf%C3%A9",
        "/a/b/./, /a/b/"
    })
    void normalises(String raw, String expected) throws Exception {
        assertEquals(expected, PathNormalizer.normalize(raw));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/public/..%2fadmin",
                "/a%2Fb",
                "/public/%2e%2e/admin",
                "/%2E",
                "/a%5cb",
                "/a\\b",
                "/a%00",
                "/a%0d%0a",
                "/a%7f",
                "/..",
                "/a/../..",
                "/a;b",
                "/..;/x",
                "/%252e",
                "/%2",
                "/%zz",
                "relative",
                "",
                "/a b",
                "/a\tb",
                "/a%3b"
            })
    void refusesAmbiguous(String raw) {
        assertThrows(PathNormalizer.AmbiguousPathException.class, () -> PathNormalizer.normalize(raw));
    }

    /** RFC 3986 §3.3 pchar written raw passes unchanged (and by the shortcut); percent-encoded UTF-8 stays encoded. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "/a-b._~!$&'()*+,=:@/c | /a-b._~!$&'()*+,=:@/c",
                "/caf%c3%a9 | /caf%C3%A9",
                "/%e2%82%ac | /%E2%82%AC",
                "/%f0%9f%98%80 | /%F0%9F%98%80",
                "/%ef%bf%bf | /%EF%BF%BF",
                "/%f4%8f%bf%bf | /%F4%8F%BF%BF",
                "/%ed%9f%bf | /%ED%9F%BF",
                "/%c2%80 | /%C2%80",
                "/%e0%a0%80 | /%E0%A0%80",
                "/%f0%90%80%80 | /%F0%90%80%80",
                "/%23x | /%23x",
                "/%7b%7D | /%7B%7D"
            })
    void keepsValidCharactersAndUtf8(String raw, String expected) throws Exception {
        assertEquals(expected, PathNormalizer.normalize(raw));
    }

    /** Raw characters outside pchar: servers disagree on them (Express drops "#..."), so they are refused. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/secret#x",
                "/secret#",
                "/a\"b",
                "/a<b",
                "/a>b",
                "/a^b",
                "/a`b",
                "/a{b",
                "/a|b",
                "/a}b",
                "/a[b",
                "/a]b",
                "/a b",
                "/caf\u00e9",
                "/\u2215etc",
                "/\uff0e\uff0e/admin",
                "/a\u0085b",
                "/a\u00a0b",
                "/\ud83d\ude00",
                "/public/x#/../../admin"
            })
    void refusesCharactersOutsidePchar(String raw) {
        assertEquals("invalid_path_character", reason(raw));
    }

    /**
     * Percent-encodings that are not valid, shortest-form UTF-8 (RFC 3629 §3, §4): overlong forms of '.', '/' and
     * '\\' (the classic %c0%ae / %c0%af / %c1%9c traversal), lone or stray continuation bytes, surrogates, code
     * points above U+10FFFF, bytes that never occur, truncated sequences.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/%c0%ae%c0%ae/admin",
                "/public/%c0%ae%c0%ae/admin",
                "/%c0%af",
                "/%c1%9c",
                "/%c0%80",
                "/%e0%80%ae",
                "/%e0%80%af",
                "/%f0%80%80%ae",
                "/%f0%80%80%af",
                "/%f8%80%80%80%af",
                "/%fc%80%80%80%80%af",
                "/%e0%9f%bf",
                "/%f0%8f%bf%bf",
                "/%ed%a0%80",
                "/%ed%bf%bf",
                "/%ed%a0%bd%ed%b8%80",
                "/%f4%90%80%80",
                "/%f5%80%80%80",
                "/%ff",
                "/%fe",
                "/%80",
                "/%bf",
                "/a%80b",
                "/%c3",
                "/%c3x",
                "/%c3%28",
                "/%e2%82",
                "/%e2%82x",
                "/%e2%28%a1",
                "/%f0%9f%98",
                "/%c3%a9%a9",
                "/%C0%AE",
                "/%c2"
            })
    void refusesInvalidUtf8(String raw) {
        assertEquals("invalid_utf8_encoding", reason(raw));
    }

    /** The refusals that were there before keep their reasons. */
    @ParameterizedTest
    @CsvSource({
        "/a%2fb, ambiguous_encoding",
        "/%2e%2e/x, ambiguous_encoding",
        "/a%5cb, ambiguous_encoding",
        "/a%00, ambiguous_encoding",
        "/a;b, path_parameter",
        "/a%3bb, ambiguous_encoding",
        "/..;/x, path_parameter",
        "/a\\b, backslash_in_path",
        "/a%252e, double_encoding",
        "/%zz, malformed_percent_encoding",
        "/%2, malformed_percent_encoding",
        "/%c3%zz, malformed_percent_encoding",
        "/.., path_escapes_root",
        "relative, path_not_absolute"
    })
    void keepsEarlierReasons(String raw, String reason) {
        assertEquals(reason, reason(raw));
    }

    /**
     * A literal {@code %} ({@code %25}) followed in the normal form by what a second decoding would read as an escape:
     * refused however the hex digits were spelt, raw or percent-encoded, so an app that decodes twice sees nothing the
     * policy did not judge ({@code %25%32%65} would be a dot, {@code %25%32%66} a slash).
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/x/%25%41%42",
                "/public/%25%32%66admin",
                "/public/%25%32%65%25%32%65/admin",
                "/%2541",
                "/%25%34%31",
                "/%25%34%61",
                "/%25%34a",
                "/%254%31",
                "/a%25ff",
                "/%25%46%46",
                "/%25u0041",
                "/%25U002F",
                "/%25%75%30%30%32%66",
                "/%25u%30%30%32%65",
                "/public/%25%32%65%25%32%65%25%32%66admin"
            })
    void refusesWhatASecondDecodingWouldChange(String raw) {
        assertEquals("double_encoding", reason(raw));
    }

    @ParameterizedTest
    @CsvSource({
        "/50%25off, /50%25off",
        "/100%25, /100%25",
        "/%25a, /%25a",
        "/%25%3F, /%25%3F",
        "/%25%25, /%25%25",
        "/%25u12, /%25u12",
        "/%25/41, /%25/41",
        "/%25%2541x, double_encoding"
    })
    void aLiteralPercentNotFollowedByAnEscapeIsKept(String raw, String expected) {
        assertEquals(expected.startsWith("/") ? "accepted: " + expected : expected, reason(raw));
    }

    /**
     * Properties over generated paths: the normal form is a fixed point of normalisation, and an app that decodes it
     * twice (any lenient decoder: every {@code %HH}, IIS's {@code %uHHHH}) gets what a single decoding gives.
     */
    @Test
    void normalisationIsIdempotentAndASecondDecodingChangesNothing() throws Exception {
        String[] pieces = {
            "/", "/", "a", "A", "1", "f", "u", "U", "x", ".", "..", "%25", "%25", "%25", "%32", "%34", "%41", "%61",
            "%66", "%75", "%55", "%2e", "%2f", "%3f", "%20", "%c3%a9", "%7e", "~", "-", "!", "%"
        };
        java.util.Random random = new java.util.Random(11);
        int accepted = 0;
        for (int n = 0; n < 300_000; n++) {
            StringBuilder sb = new StringBuilder("/");
            int length = random.nextInt(8);
            for (int i = 0; i < length; i++) {
                sb.append(pieces[random.nextInt(pieces.length)]);
            }
            String normal;
            try {
                normal = PathNormalizer.normalize(sb.toString());
            } catch (PathNormalizer.AmbiguousPathException e) {
                continue;
            }
            accepted++;
            assertEquals("accepted: " + normal, reason(normal), "idempotent, from " + sb);
            String once = lenientDecode(normal);
            assertEquals(once, lenientDecode(once), "a second decoding changes " + normal + " (from " + sb + ")");
        }
        assertTrue(accepted > 20_000, "the generator reaches accepted paths: " + accepted);
    }

    /** Decodes every {@code %HH} and {@code %uHHHH} it finds, byte by byte, as careless decoders do. */
    private static String lenientDecode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%'
                    && i + 5 < s.length()
                    && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
                    && isHex(s, i + 2, 4)) {
                out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else if (c == '%' && isHex(s, i + 1, 2)) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void controlCharactersKeepTheirReason() {
        assertEquals("control_character_in_path", reason("/a\tb"));
        assertEquals("control_character_in_path", reason("/a\u0000b"));
        assertEquals("control_character_in_path", reason("/a\u007fb"));
    }

    /**
     * Property: a path of plain characters and percent-encoded high bytes is accepted exactly when those bytes are
     * valid UTF-8 for the JDK's strict decoder (which refuses overlong forms, surrogates and values past U+10FFFF),
     * and then it is forwarded with the bytes unchanged.
     */
    @Test
    void percentEncodedBytesAreAcceptedExactlyWhenTheyAreStrictUtf8() throws Exception {
        java.util.Random random = new java.util.Random(7);
        int accepted = 0;
        for (int n = 0; n < 100_000; n++) {
            StringBuilder raw = new StringBuilder("/a");
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            int count = 1 + random.nextInt(4);
            for (int i = 0; i < count; i++) {
                // Mostly bytes that could start or continue a sequence, so valid ones occur often enough.
                int b = random.nextInt(4) == 0
                        ? 0x80 + random.nextInt(0x80)
                        : new int[] {
                                    0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0x80, 0x8f, 0x90, 0x9f, 0xa0,
                                    0xbf, 0xc0, 0xc1, 0xf5
                                }
                                [random.nextInt(18)];
                raw.append('%').append(String.format("%02x", b));
                bytes.write(b);
            }
            boolean strict;
            try {
                java.nio.charset.StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
                strict = true;
            } catch (java.nio.charset.CharacterCodingException e) {
                strict = false;
            }
            String got = reason(raw.toString());
            if (strict) {
                accepted++;
                assertEquals("accepted: " + raw.toString().toUpperCase().replace("/A", "/a"), got, raw.toString());
            } else {
                assertEquals("invalid_utf8_encoding", got, raw.toString());
            }
        }
        assertTrue(accepted > 2_000, "the corpus has valid sequences too: " + accepted);
    }

    private static String reason(String raw) {
        try {
            return "accepted: " + PathNormalizer.normalize(raw);
        } catch (PathNormalizer.AmbiguousPathException e) {
            return e.getMessage();
        }
    }

    /** The shortcut for already-canonical paths must give the full normalisation's answer on every input. */
    @Test
    void shortcutAgreesWithFullNormalisation() {
        char[] alphabet = {
            '/', '/', '/', '.', '.', 'a', 'b', '%', '2', 'e', 'F', ';', '\\', ' ', '\u00e9', '~', '?', '#', '"', '<',
            '^', '`', '{', '|', '[', ':', '@', '!', '$', '\'', '(', '*', '+', ',', '=', '&', 'c', '0', '8'
        };
        java.util.Random random = new java.util.Random(42);
        int shortcuts = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder sb = new StringBuilder("/");
            int length = random.nextInt(10);
            for (int i = 0; i < length; i++) {
                sb.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String path = sb.toString();
            String full;
            try {
                full = PathNormalizer.normalizeFully(path);
            } catch (PathNormalizer.AmbiguousPathException e) {
                full = "refused:" + e.getMessage();
            }
            String fast;
            try {
                fast = PathNormalizer.normalize(path);
            } catch (PathNormalizer.AmbiguousPathException e) {
                fast = "refused:" + e.getMessage();
            }
            assertEquals(full, fast, path);
            if (PathNormalizer.isAlreadyCanonical(path)) {
                shortcuts++;
            }
        }
        assertTrue(shortcuts > 10_000, "the corpus exercises the shortcut: " + shortcuts);
    }
}

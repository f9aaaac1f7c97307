package org.servicetokens.sidecar.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.support.Property;

/**
 * The return-URL check ({@link ReturnUrl#sanitize}) over generated URLs built from the pieces open redirects
 * are made of.
 *
 * <p>Property: whatever the input, the result is a same-origin path: it starts with a single {@code /}, never
 * {@code //} or {@code /\}, holds only printable ASCII without a backslash, has no scheme or authority, is not one
 * of the sidecar's own endpoints, and stays so after percent-decoding once and twice; and it is either the input
 * unchanged or {@code /}.
 */
class ReturnUrlPropertiesTest {

    private static final String[] PIECES = {
        "/",
        "/",
        "//",
        "\\",
        "/\\",
        "%2F",
        "%2f",
        "%5C",
        "%252F",
        "%25",
        "%09",
        "%0A",
        "%0D",
        "\t",
        "\n",
        " ",
        "%20",
        "evil.example",
        "app",
        "x",
        "http:",
        "https://",
        "javascript:",
        "data:",
        "@",
        "?",
        "#",
        "=",
        "&",
        ".sidecar",
        "%2E",
        ".",
        "..",
        ":",
        "\u00e9",
        "%C3%A9",
        "\uFF0F",
        "%EF%BC%8F",
        "\u3002",
        "%E3%80%82",
        "%",
        "%z",
        "+",
        "~",
        "%00",
        "\u0000"
    };

    /** Inputs that once broke the property; none so far. */
    static final List<String> EXAMPLES = List.of();

    @Test
    void theResultIsAlwaysASameOriginPath() {
        Property.forAll(
                "return URL", Property.tries(1000), ReturnUrlPropertiesTest::url, Property::escape, EXAMPLES, raw -> {
                    String out = ReturnUrl.sanitize(raw);
                    assertTrue(out.equals(ReturnUrl.HOME) || out.equals(raw), "either the input or /");
                    String once = decode(out);
                    String twice = once == null ? null : decode(once);
                    for (String form : new String[] {out, once, twice}) {
                        if (form != null) {
                            sameOriginPath(form);
                        }
                    }
                    for (char c : out.toCharArray()) {
                        assertTrue(c > 0x20 && c < 0x7f && c != '\\', "printable ASCII only");
                    }
                    URI uri = URI.create(out);
                    assertNull(uri.getScheme(), "no scheme");
                    assertNull(uri.getRawAuthority(), "no authority");
                    String path = uri.getRawPath().toLowerCase(Locale.ROOT);
                    assertTrue(
                            !path.equals("/.sidecar") && !path.startsWith("/.sidecar/"),
                            "not the sidecar's own endpoint");
                });
    }

    private static void sameOriginPath(String s) {
        assertTrue(s.startsWith("/"), "starts with /: " + Property.escape(s));
        assertTrue(!s.startsWith("//") && !s.startsWith("/\\"), "no second slash or backslash: " + Property.escape(s));
        for (char c : s.toCharArray()) {
            // A browser drops tabs and newlines, so "/\t/evil" is "//evil".
            assertTrue(c >= 0x20 && c != 0x7f, "no control characters: " + Property.escape(s));
        }
        String stripped = s.replace(" ", "");
        assertTrue(!stripped.startsWith("//") && !stripped.startsWith("/\\"), "not //, even without spaces");
    }

    /** Lenient percent-decoding of valid escapes (as an app or a browser might), null when malformed. */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String url(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(7);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    @Test
    void knownOpenRedirectsGoHome() {
        for (String raw : List.of(
                "//evil.example",
                "/\\evil.example",
                "/%2F%2Fevil.example",
                "/%5Cevil.example",
                "/%09/evil.example",
                "https://evil.example",
                "javascript:alert(1)",
                "/.sidecar/logout")) {
            assertEquals(ReturnUrl.HOME, ReturnUrl.sanitize(raw), raw);
        }
    }
}

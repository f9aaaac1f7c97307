package org.servicetokens.sidecar.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Property;

/**
 * The path normaliser and the policy matcher, held to properties over generated request paths.
 *
 * <p>Property: the path the policy judges is exactly what a strict RFC 3986 + UTF-8 decoder gives, or the request
 * is refused. {@link #strict} is that decoder, written here independently: every raw character a {@code pchar}
 * or {@code /}, every escape two hex digits, every segment's bytes shortest-form UTF-8 (RFC 3629 §4), then the
 * documented normal form ({@code .} and {@code ..} resolved, empty segments collapsed, {@code ..} above the root
 * refused). Whenever it refuses, the sidecar refuses; whenever the sidecar accepts, decoding the sidecar's form
 * gives the same segments as decoding the raw path (the sidecar may refuse more: {@code %2F}, encoded dots, {@code ;}).
 * Also: normalisation is idempotent, the fast path {@code isAlreadyCanonical} agrees with full normalisation, and
 * the policy decides on the decoded segments ({@code /public/**} is public exactly when the first segment is
 * {@code public}).
 */
class PathPropertiesTest {

    /** Inputs that once broke a property. */
    static final List<String> EXAMPLES = List.of(
            // %25 kept, then %41%42 decoded: "/x/%25AB", which the normaliser itself refuses as double encoding.
            "/x/%25%41%42",
            "/public/%25%32%66admin",
            // A raw ^ (not a pchar) and an invalid UTF-8 escape were accepted.
            "/^%41%c3-%ff");

    private static final String[] PIECES = {
        "public",
        "admin",
        "a",
        "PUBLIC",
        "x",
        "/",
        "/",
        "/",
        "//",
        ".",
        "..",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%5c",
        "%25",
        "%41",
        "%42",
        "%7e",
        "%7E",
        "%20",
        "%c3%a9",
        "%C3%A9",
        "%e2%82%ac",
        "%f0%9f%98%80",
        "%c0%ae",
        "%c0%af",
        "%ed%a0%80",
        "%f4%90%80%80",
        "%80",
        "%ff",
        "%c3",
        "%e2%82",
        "%",
        "%z",
        "%4",
        "%%32%65",
        ";",
        "\\",
        "#",
        "?",
        " ",
        "\t",
        "\u00e9",
        "\u0000",
        ":",
        "@",
        "!",
        "$",
        "&",
        "'",
        "(",
        ")",
        "*",
        "+",
        ",",
        "=",
        "-",
        "_",
        "~",
        "[",
        "]",
        "|",
        "^",
        "`",
        "{",
        "\""
    };

    @Test
    void theJudgedPathIsWhatAStrictDecoderGivesOrTheRequestIsRefused() {
        Policy policy = policy();
        Property.forAll(
                "path normalisation",
                Property.tries(1000),
                PathPropertiesTest::path,
                Property::escape,
                EXAMPLES,
                raw -> {
                    List<String> reference = strict(raw);
                    String normal = outcome(() -> PathNormalizer.normalize(raw));
                    if (reference == null) {
                        assertEquals(null, normal, "the strict decoder refuses, the sidecar must too");
                    }
                    if (normal == null) {
                        return;
                    }
                    assertEquals(
                            reference, strict(normal), "decoding the judged path gives the segments of the raw path");
                    assertEquals(
                            normal, outcome(() -> PathNormalizer.normalize(normal)), "normalisation is idempotent");
                    if (raw.startsWith("/") && PathNormalizer.isAlreadyCanonical(raw)) {
                        assertEquals(raw, outcome(() -> PathNormalizer.normalizeFully(raw)), "the fast path agrees");
                    }
                    assertEquals(
                            expectedAccess(policy, reference),
                            policy.decide(HttpMethod.GET, normal),
                            "the policy's decision");
                });
    }

    @Test
    void theFastPathAgreesWithFullNormalisation() {
        Property.forAll(
                "fast path", Property.tries(1000), PathPropertiesTest::path, Property::escape, EXAMPLES, raw -> {
                    if (raw.startsWith("/")) {
                        assertEquals(
                                outcome(() -> PathNormalizer.normalizeFully(raw)),
                                outcome(() -> PathNormalizer.normalize(raw)));
                    }
                });
    }

    static String path(Random r) {
        StringBuilder sb = new StringBuilder(r.nextInt(20) == 0 ? "" : "/");
        int n = r.nextInt(10);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    private interface Normalisation {
        String get() throws PathNormalizer.AmbiguousPathException;
    }

    /** The normal form, or null when refused; anything but the documented refusal fails the property. */
    private static String outcome(Normalisation n) {
        try {
            return Objects.requireNonNull(n.get());
        } catch (PathNormalizer.AmbiguousPathException e) {
            return null;
        } catch (RuntimeException e) {
            fail("normalisation threw " + e);
            return null;
        }
    }

    /**
     * The strict reference: decoded segments of the documented normal form, or null when the path is not an
     * absolute RFC 3986 path of pchars whose escapes decode to shortest-form UTF-8, or escapes the root.
     */
    static List<String> strict(String raw) {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            return null;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean pchar = c < 128 && (Character.isLetterOrDigit(c) || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    return null;
                }
            } else if (!pchar) {
                return null;
            }
        }
        String[] parts = raw.substring(1).split("/", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String seg = utf8(parts[i]);
            if (seg == null) {
                return null;
            }
            boolean last = i == parts.length - 1;
            if (seg.equals(".") || seg.equals("..")) {
                if (seg.equals("..")) {
                    if (out.isEmpty()) {
                        return null;
                    }
                    out.remove(out.size() - 1);
                }
                if (last) {
                    out.add("");
                }
            } else if (!seg.isEmpty() || last) {
                out.add(seg);
            }
        }
        return out;
    }

    /** Percent-decodes one segment and checks the bytes are well-formed UTF-8 (RFC 3629 §4); null if not. */
    private static String utf8(String seg) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < seg.length(); i++) {
            char c = seg.charAt(i);
            if (c == '%') {
                bytes.write(hex(seg.charAt(i + 1)) * 16 + hex(seg.charAt(i + 2)));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        byte[] b = bytes.toByteArray();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; ) {
            int lead = b[i] & 0xff;
            int n;
            int lo = 0x80;
            int hi = 0xBF;
            if (lead < 0x80) {
                sb.append((char) lead);
                i++;
                continue;
            } else if (lead >= 0xC2 && lead <= 0xDF) {
                n = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                n = 2;
                lo = lead == 0xE0 ? 0xA0 : 0x80;
                hi = lead == 0xED ? 0x9F : 0xBF;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                n = 3;
                lo = lead == 0xF0 ? 0x90 : 0x80;
                hi = lead == 0xF4 ? 0x8F : 0xBF;
            } else {
                return null;
            }
            if (i + n >= b.length) {
                return null;
            }
            int cp = lead & (0x3F >> n);
            for (int k = 1; k <= n; k++) {
                int cont = b[i + k] & 0xff;
                if (k == 1 ? cont < lo || cont > hi : cont < 0x80 || cont > 0xBF) {
                    return null;
                }
                cp = (cp << 6) | (cont & 0x3F);
            }
            sb.appendCodePoint(cp);
            i += n + 1;
        }
        return sb.toString();
    }

    private static int hex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128 ? Character.digit(c, 16) : -1;
    }

    private static Policy policy() {
        List<SidecarConfig.Rule> rules = Harness.rules("""
        - path: /public/**
          allow: public
        - path: /admin/*
          allow: {roles: [admin]}
        """);
        List<String> problems = new ArrayList<>();
        Policy policy = PolicyParser.parse(rules, problems);
        assertTrue(problems.isEmpty(), problems.toString());
        return policy;
    }

    /** The reference matcher, on decoded segments. */
    private static Access expectedAccess(Policy policy, List<String> segments) {
        if (!segments.isEmpty() && segments.get(0).equals("public")) {
            return policy.rules().get(0).access();
        }
        if (segments.size() == 2 && segments.get(0).equals("admin")) {
            return policy.rules().get(1).access();
        }
        return Access.AUTHENTICATED;
    }
}

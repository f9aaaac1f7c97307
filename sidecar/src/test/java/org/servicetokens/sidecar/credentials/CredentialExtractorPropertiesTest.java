package org.servicetokens.sidecar.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.Property;

/**
 * The credential extractor over generated header sets.
 *
 * <p>Property: whatever the headers, the extractor returns at most one credential or throws
 * {@link CredentialException} (400 or 401), never anything else; a credential header sent twice (or two values
 * folded into one with a comma), an Authorization header together with service-token headers, or headers of two
 * pairs at once are refused with 400; and a credential it returns is the one the headers carry, unaltered.
 */
class CredentialExtractorPropertiesTest {

    private static final String[] NAMES = {
        "Authorization",
        "authorization",
        "AUTHORIZATION",
        "KC-Access-Client-Id",
        "kc-access-client-id",
        "KC-Access-Client-Secret",
        "CF-Access-Client-Id",
        "CF-Access-Client-Secret",
        "KC_Access_Client_Id",
        "X-Other",
        "Proxy-Authorization",
        "Cookie"
    };
    private static final String[] VALUES = {
        "Bearer a.b.c",
        "bearer a.b.c",
        "Bearer ",
        "Bearer",
        "Bearer a.b.c, Bearer d",
        "Basic " + b64("bot:kcst_x"),
        "Basic " + b64(":x"),
        "Basic " + b64("bot:"),
        "Basic " + b64("nocolon"),
        "Basic %%%",
        "Basic " + b64("b\u00f6t:s\u00e9cret"),
        "Basic",
        "Digest x",
        "corpus-bot",
        "  ",
        "",
        "kcst_x",
        "a,b",
        "\u00e9",
        "Token a.b.c",
        "Bearer  a.b.c  ",
        "x y z"
    };

    /** Header sets (as name/value lines) that once broke the property; none so far. */
    static final List<List<String[]>> EXAMPLES = List.of();

    @Test
    void atMostOneCredentialAndAmbiguityIsRefused() {
        CredentialExtractor extractor =
                new CredentialExtractor(new SidecarConfig.Credentials(), SessionCredentials.NONE);
        Property.forAll(
                "credential extraction",
                Property.tries(1000),
                CredentialExtractorPropertiesTest::headers,
                CredentialExtractorPropertiesTest::show,
                EXAMPLES,
                lines -> {
                    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
                    lines.forEach(l -> headers.add(l[0], l[1]));
                    Credential got;
                    try {
                        got = extractor.explicit(headers);
                    } catch (CredentialException e) {
                        assertTrue(e.status() == 400 || e.status() == 401, "status " + e.status());
                        return;
                    } catch (RuntimeException e) {
                        fail("threw " + e);
                        return;
                    }
                    assertTrue(!ambiguous(lines), "an ambiguous header set must be refused, got " + got);
                    if (got instanceof Credential.Bearer b) {
                        String auth = single(lines, "authorization");
                        assertTrue(
                                auth != null && auth.trim().substring(6).trim().equals(b.token()),
                                "the bearer token as sent");
                    } else if (got instanceof Credential.ClientSecret cs
                            && cs.source().equals("headers")) {
                        assertTrue(
                                present(lines, "kc-access-client-secret", cs.secret())
                                        || present(lines, "cf-access-client-secret", cs.secret()),
                                "the secret as sent");
                    } else if (got == null) {
                        assertTrue(single(lines, "authorization") == null, "an Authorization header was ignored");
                    }
                });
    }

    /** Two of one credential header, a folded value, Authorization with pair headers, or two pairs. */
    static boolean ambiguous(List<String[]> lines) {
        int auth = count(lines, "authorization");
        int kc = count(lines, "kc-access-client-id") + count(lines, "kc-access-client-secret");
        int cf = count(lines, "cf-access-client-id") + count(lines, "cf-access-client-secret");
        for (String name : List.of(
                "authorization",
                "kc-access-client-id",
                "kc-access-client-secret",
                "cf-access-client-id",
                "cf-access-client-secret")) {
            if (count(lines, name) > 1) {
                return true;
            }
            String v = single(lines, name);
            if (v != null && v.indexOf(',') >= 0) {
                return true;
            }
        }
        return (auth > 0 && kc + cf > 0) || (kc > 0 && cf > 0);
    }

    private static int count(List<String[]> lines, String name) {
        return (int) lines.stream()
                .filter(l -> l[0].toLowerCase(Locale.ROOT).equals(name))
                .count();
    }

    private static String single(List<String[]> lines, String name) {
        return lines.stream()
                .filter(l -> l[0].toLowerCase(Locale.ROOT).equals(name))
                .map(l -> l[1])
                .findFirst()
                .orElse(null);
    }

    private static boolean present(List<String[]> lines, String name, String value) {
        return value.equals(single(lines, name));
    }

    static List<String[]> headers(Random r) {
        List<String[]> lines = new ArrayList<>();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            lines.add(new String[] {Property.pick(r, NAMES), Property.pick(r, VALUES)});
        }
        return lines;
    }

    private static String show(List<String[]> lines) {
        StringBuilder sb = new StringBuilder("[");
        for (String[] l : lines) {
            sb.append(Property.escape(l[0]))
                    .append(": ")
                    .append(Property.escape(l[1]))
                    .append("; ");
        }
        return sb.append(']').toString();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theReferenceFlagsWhatItShould() {
        // The property is only as good as its notion of ambiguity: pin it.
        assertTrue(ambiguous(
                List.of(new String[] {"Authorization", "Bearer a"}, new String[] {"authorization", "Bearer a"})));
        assertTrue(ambiguous(
                List.of(new String[] {"Authorization", "Bearer a"}, new String[] {"KC-Access-Client-Id", "x"})));
        assertTrue(ambiguous(
                List.of(new String[] {"KC-Access-Client-Id", "x"}, new String[] {"CF-Access-Client-Secret", "y"})));
        assertEquals(false, ambiguous(List.of(new String[] {"KC-Access-Client-Id", "x"}, new String[] {
            "KC-Access-Client-Secret", "y"
        })));
    }
}

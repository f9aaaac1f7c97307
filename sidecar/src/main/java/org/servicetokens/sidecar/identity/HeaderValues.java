package org.servicetokens.sidecar.identity;

import java.util.List;
import org.servicetokens.sidecar.util.HttpSyntax;

/**
 * How claim values are written into the identity headers the app receives, so that every value is a valid
 * HTTP field value (RFC 9110 §5.5: visible ASCII, inner spaces) and decodes back to exactly the claim Keycloak
 * signed. Both encodings are percent-encoding of UTF-8 with upper-case hex (RFC 3986 §2.1); a lone UTF-16
 * surrogate, which is not text, is written as U+FFFD.
 *
 * <ul>
 *   <li>{@link #single}: {@code X-Auth-Subject}, {@code -Username}, {@code -Email}, {@code -Client-Id},
 *       {@code -Token-Name}. Visible ASCII stays as it is, except {@code %} and {@code ,} (so no value reads as a
 *       list); a space stays unless it starts or ends the value (parsers trim those); control characters and
 *       non-ASCII are encoded. {@code "Jörg, CEO\r\n"} → {@code J%C3%B6rg%2C CEO%0D%0A}.</li>
 *   <li>{@link #list}: {@code X-Auth-Roles}, {@code X-Auth-Groups}. Each element keeps only RFC 3986 unreserved
 *       characters and {@code /}, everything else is encoded, and elements are joined with {@code ,}. A client
 *       role is {@code clientId:role} with both parts encoded: client {@code x,demo-app} role {@code admin} →
 *       {@code x%2Cdemo-app:admin}. Split on {@code ,}, then on the one {@code :}, then percent-decode.</li>
 * </ul>
 */
public final class HeaderValues {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private HeaderValues() {}

    /** A single-valued identity header's value; see the class comment. */
    public static String single(String value) {
        int last = value.length() - 1;
        for (int i = 0; i <= last; i++) {
            if (!keptInSingle(value.charAt(i), i == 0 || i == last)) {
                return encode(value, i, true);
            }
        }
        return value;
    }

    /** One element of a list header; see the class comment. */
    public static String element(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!keptInElement(value.charAt(i))) {
                return encode(value, i, false);
            }
        }
        return value;
    }

    /** Encoded elements joined with {@code ,}; null when there are none (the header is then not sent). */
    public static String list(List<String> encodedElements) {
        return encodedElements.isEmpty() ? null : String.join(",", encodedElements);
    }

    private static boolean keptInSingle(char c, boolean atEdge) {
        return c > 0x20 && c < 0x7f && c != '%' && c != ',' || c == ' ' && !atEdge;
    }

    /** RFC 3986 §2.3 unreserved, plus {@code /} so group paths stay readable. */
    private static boolean keptInElement(char c) {
        return HttpSyntax.isUnreserved(c) || c == '/';
    }

    private static String encode(String value, int from, boolean single) {
        StringBuilder sb = new StringBuilder(value.length() + 16).append(value, 0, from);
        int last = value.length() - 1;
        for (int i = from; i <= last; i++) {
            char c = value.charAt(i);
            if (single ? keptInSingle(c, i == 0 || i == last) : keptInElement(c)) {
                sb.append(c);
                continue;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i < last && Character.isLowSurrogate(value.charAt(i + 1))) {
                cp = Character.toCodePoint(c, value.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                cp = 0xFFFD;
            }
            appendUtf8(sb, cp);
        }
        return sb.toString();
    }

    private static void appendUtf8(StringBuilder sb, int cp) {
        if (cp < 0x80) {
            pct(sb, cp);
        } else if (cp < 0x800) {
            pct(sb, 0xC0 | cp >> 6);
            pct(sb, 0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            pct(sb, 0xE0 | cp >> 12);
            pct(sb, 0x80 | cp >> 6 & 0x3F);
            pct(sb, 0x80 | cp & 0x3F);
        } else {
            pct(sb, 0xF0 | cp >> 18);
            pct(sb, 0x80 | cp >> 12 & 0x3F);
            pct(sb, 0x80 | cp >> 6 & 0x3F);
            pct(sb, 0x80 | cp & 0x3F);
        }
    }

    private static void pct(StringBuilder sb, int b) {
        sb.append('%').append(HEX[b >> 4 & 0xF]).append(HEX[b & 0xF]);
    }
}

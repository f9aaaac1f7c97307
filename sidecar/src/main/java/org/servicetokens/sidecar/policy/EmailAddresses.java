package org.servicetokens.sidecar.policy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * E-mail addresses as the {@code emails} and {@code emailDomains} conditions compare them. Only a plain address
 * can match: exactly one {@code @} (so {@code a@corp.com@evil.com} and quoted local parts never do, whichever
 * {@code @} an app would split on), a non-empty local part without spaces or control characters, and a domain of
 * ASCII letter-digit-hyphen labels without a trailing dot (RFC 5321 §4.1.2; internationalised domains as their
 * {@code xn--} A-labels, RFC 5890). Domains match exactly: {@code corp.com} does not admit
 * {@code evil.corp.com}. Case is folded for ASCII letters only: Unicode lower-casing would turn the Kelvin sign
 * (U+212A) into {@code k} and let a look-alike address match a rule.
 */
final class EmailAddresses {

    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final int MAX_ADDRESS = 254;

    private EmailAddresses() {}

    /** The address with ASCII letters lower-cased, or null when it is not a plain address (it then matches nothing). */
    static String address(String email) {
        if (email == null || email.length() > MAX_ADDRESS) {
            return null;
        }
        int at = email.indexOf('@');
        if (at <= 0 || at != email.lastIndexOf('@')) {
            return null;
        }
        for (int i = 0; i < at; i++) {
            char c = email.charAt(i);
            if (c <= 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return null;
            }
        }
        String folded = foldAscii(email);
        return DOMAIN.matcher(folded.substring(at + 1)).matches() ? folded : null;
    }

    /** The folded domain of a plain address, or null. */
    static String domain(String email) {
        String a = address(email);
        return a == null ? null : a.substring(a.indexOf('@') + 1);
    }

    /** An {@code emails} entry from config, folded; a problem is recorded (and null returned) if it is not plain. */
    static String ruleAddress(String configured, String key, List<String> problems) {
        String a = address(configured);
        if (a == null) {
            problems.add(
                    key + ": '" + configured + "' is not a plain e-mail address (one @, ASCII domain, IDNs as xn--)");
        }
        return a;
    }

    /** An {@code emailDomains} entry ({@code corp.com} or {@code @corp.com}), folded; null + a problem if malformed. */
    static String ruleDomain(String configured, String key, List<String> problems) {
        String d = foldAscii(configured.startsWith("@") ? configured.substring(1) : configured);
        if (!DOMAIN.matcher(d).matches()) {
            problems.add(
                    key + ": '" + configured + "' is not a domain name (ASCII labels, IDNs as xn--, no trailing dot)");
            return null;
        }
        return d;
    }

    private static String foldAscii(String s) {
        char[] out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (out == null) {
                    out = s.toCharArray();
                }
                out[i] = (char) (c + ('a' - 'A'));
            }
        }
        return out == null ? s : new String(out);
    }
}

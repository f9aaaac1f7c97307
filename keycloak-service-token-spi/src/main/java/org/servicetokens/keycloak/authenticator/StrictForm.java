package org.servicetokens.keycloak.authenticator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} body (WHATWG URL §5, as RFC 6749 §2.3.1 uses it) read strictly:
 * the bytes must be UTF-8 and every {@code %XX} hex that decodes to UTF-8. Unlike Keycloak's own form reader it
 * never throws: a pair that cannot be decoded makes the body {@link #malformed()} and is left out of
 * {@link #parameters()}, so the parameters that did decode (a {@code client_id}, say) can still be read.
 *
 * @param parameters every decodable name with its values, in order of appearance
 * @param malformed  true when the body is not UTF-8 or any name or value does not decode
 */
record StrictForm(Map<String, List<String>> parameters, boolean malformed) {

    static StrictForm parse(byte[] body) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        String text = ClientCredentials.utf8(body);
        if (text == null) {
            return new StrictForm(parameters, true);
        }
        boolean malformed = false;
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = ClientCredentials.formDecode(equals < 0 ? pair : pair.substring(0, equals));
            String value = ClientCredentials.formDecode(equals < 0 ? "" : pair.substring(equals + 1));
            if (name == null || value == null) {
                malformed = true;
            } else {
                parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return new StrictForm(parameters, malformed);
    }

    /** The value of a parameter given exactly once, else null (absent, repeated, or undecodable). */
    String single(String name) {
        List<String> values = parameters.get(name);
        return values != null && values.size() == 1 ? values.get(0) : null;
    }

    @Override
    public String toString() {
        // Values may hold a secret: only the names.
        return "StrictForm[names=" + parameters.keySet() + ", malformed=" + malformed + "]";
    }
}

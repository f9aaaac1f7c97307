package org.servicetokens.keycloak.authenticator;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.keycloak.OAuth2Constants;
import org.keycloak.http.HttpRequest;

/**
 * The client ID and secret of a token request, from {@code client_secret_basic} or {@code client_secret_post}
 * (RFC 6749 §2.3.1). In HTTP Basic both parts are {@code application/x-www-form-urlencoded} before Base64, so they
 * are decoded here strictly: Base64, then UTF-8, then percent-decoding ({@code +} is a space) with every
 * {@code %XX} required to be hex and the result valid UTF-8. Anything else is {@link #problem() malformed}, never
 * an exception. A form {@code client_id} names the client, as in Keycloak's stock client-secret authenticator;
 * credentials given two conflicting ways (two IDs that differ, a secret in both places, a repeated parameter or
 * header) are ambiguous (RFC 6749 §2.3: use only one method).
 *
 * @param clientId the decoded client ID, null when none could be read
 * @param problem  null, {@value #AMBIGUOUS} or {@value #MALFORMED}
 */
record ClientCredentials(String clientId, String secret, String method, String problem) {

    static final String BASIC = "client_secret_basic";
    static final String POST = "client_secret_post";
    static final String AMBIGUOUS = "ambiguous_credentials";
    static final String MALFORMED = "malformed_credentials";

    static ClientCredentials from(HttpRequest request) {
        String clientId = null;
        String secret = null;
        String method = null;
        String problem = null;
        List<String> authorizations =
                request.getHttpHeaders().getRequestHeaders().get(HttpHeaders.AUTHORIZATION);
        if (authorizations != null && authorizations.size() > 1) {
            problem = AMBIGUOUS;
        }
        String authorization = authorizations == null || authorizations.isEmpty() ? null : authorizations.get(0);
        if (isBasic(authorization)) {
            method = BASIC;
            String[] pair = basic(authorization.substring(6).strip());
            if (pair == null) {
                problem = first(problem, MALFORMED);
            } else {
                clientId = pair[0] == null ? null : formDecode(pair[0]);
                secret = pair[1] == null ? null : formDecode(pair[1]);
                if (clientId == null || secret == null) {
                    problem = first(problem, MALFORMED);
                }
            }
        }
        MultivaluedMap<String, String> form = form(request);
        if (form != null) {
            List<String> ids = form.get(OAuth2Constants.CLIENT_ID);
            List<String> secrets = form.get(OAuth2Constants.CLIENT_SECRET);
            if ((ids != null && ids.size() > 1) || (secrets != null && secrets.size() > 1)) {
                problem = first(problem, AMBIGUOUS);
            }
            if (ids != null && !ids.isEmpty()) {
                if (clientId != null && !clientId.equals(ids.get(0))) {
                    problem = first(problem, AMBIGUOUS);
                }
                clientId = ids.get(0);
            }
            if (secrets != null && !secrets.isEmpty()) {
                if (BASIC.equals(method)) {
                    problem = first(problem, AMBIGUOUS);
                }
                method = method == null ? POST : method;
                secret = secrets.get(0);
            }
        }
        return new ClientCredentials(clientId, secret, method, problem);
    }

    /** The decoded client ID of an HTTP Basic {@code Authorization} value; null when none can be read. */
    static String basicClientId(String authorization) {
        if (!isBasic(authorization)) {
            return null;
        }
        String[] pair = basic(authorization.substring(6).strip());
        return pair == null || pair[0] == null ? null : formDecode(pair[0]);
    }

    private static boolean isBasic(String authorization) {
        return authorization != null
                && authorization.length() >= 6
                && authorization.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ");
    }

    private static MultivaluedMap<String, String> form(HttpRequest request) {
        MediaType mediaType = request.getHttpHeaders().getMediaType();
        if (mediaType == null || !mediaType.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            return null;
        }
        return request.getDecodedFormParameters();
    }

    /**
     * The two raw (still form-encoded) halves of a Basic credential, split at the first colon byte before each is
     * read as UTF-8, so an undecodable secret still names its client (and is refused as that client's);
     * null if it is not Base64 of "a:b", a half that is not UTF-8 is null.
     */
    private static String[] basic(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == ':') {
                return new String[] {
                    utf8(java.util.Arrays.copyOfRange(bytes, 0, i)),
                    utf8(java.util.Arrays.copyOfRange(bytes, i + 1, bytes.length))
                };
            }
        }
        return null;
    }

    /** {@code application/x-www-form-urlencoded} decoding that refuses instead of guessing; null when malformed. */
    static String formDecode(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    return null;
                }
                int high = Character.digit(encoded.charAt(i + 1), 16);
                int low = Character.digit(encoded.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                out.write(high * 16 + low);
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isSurrogate(c)) {
                    if (!Character.isHighSurrogate(c)
                            || i + 1 >= encoded.length()
                            || !Character.isLowSurrogate(encoded.charAt(i + 1))) {
                        return null;
                    }
                    raw = encoded.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.writeBytes(raw);
            }
        }
        return utf8(out.toByteArray());
    }

    /** Strict UTF-8 (malformed or unmappable input is an error, not U+FFFD); null when the bytes are not UTF-8. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }

    private static String first(String current, String next) {
        return current != null ? current : next;
    }

    @Override
    public String toString() {
        return "ClientCredentials[clientId=" + clientId + ", method=" + method + ", problem=" + problem + "]";
    }
}

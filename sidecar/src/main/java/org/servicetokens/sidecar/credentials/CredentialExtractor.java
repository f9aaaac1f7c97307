package org.servicetokens.sidecar.credentials;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.servicetokens.sidecar.config.SidecarConfig;

/**
 * Finds the one credential of a request, in contract order: Bearer JWT, service-token headers, HTTP Basic,
 * session. Anything that could be read two ways is refused with 400 rather than guessed: a repeated
 * credential header, two header aliases at once, headers plus an Authorization header, half a pair.
 *
 * <p>A service token's ID and secret must have their published shape ({@link CredentialShape}), else 401
 * {@code invalid_client_id_format} / {@code invalid_client_secret_format}: junk never costs a call to Keycloak.
 * In HTTP Basic both are {@code application/x-www-form-urlencoded} before base64 (RFC 6749 §2.3.1) and are
 * decoded here; a malformed {@code %} escape or invalid UTF-8 is 400 {@code malformed_basic_credentials}.
 */
public final class CredentialExtractor {

    private final List<String> idHeaders;
    private final List<String> secretHeaders;
    /** The same names pre-hashed: looked up on every request. */
    private final List<CharSequence> idHeaderKeys;

    private final List<CharSequence> secretHeaderKeys;
    private final boolean basicEnabled;
    private final SessionCredentials sessions;

    public CredentialExtractor(SidecarConfig.Credentials config, SessionCredentials sessions) {
        this.idHeaders = List.copyOf(config.clientIdHeaders);
        this.secretHeaders = List.copyOf(config.clientSecretHeaders);
        this.idHeaderKeys = idHeaders.stream().map(HttpHeaders::createOptimized).toList();
        this.secretHeaderKeys =
                secretHeaders.stream().map(HttpHeaders::createOptimized).toList();
        this.basicEnabled = config.basic;
        this.sessions = sessions;
    }

    /** The credential, or null when the request carries none. */
    public Credential extract(HttpServerRequest request) throws CredentialException {
        Credential explicit = explicit(request.headers());
        return explicit != null ? explicit : sessions.find(request);
    }

    Credential explicit(MultiMap headers) throws CredentialException {
        String authorization = single(headers, HttpHeaders.AUTHORIZATION);
        String id = null;
        String secret = null;
        String idHeader = null;
        for (int i = 0; i < idHeaders.size(); i++) {
            String thisId = single(headers, idHeaderKeys.get(i));
            String thisSecret = single(headers, secretHeaderKeys.get(i));
            if (thisId == null && thisSecret == null) {
                continue;
            }
            if (idHeader != null) {
                throw new CredentialException(400, "conflicting_credential_headers");
            }
            idHeader = idHeaders.get(i);
            id = thisId;
            secret = thisSecret;
        }
        if (idHeader != null) {
            if (authorization != null) {
                throw new CredentialException(400, "multiple_credentials");
            }
            if (id == null || secret == null || id.isBlank() || secret.isEmpty()) {
                throw new CredentialException(400, "incomplete_client_credentials");
            }
            return clientSecret(id.trim(), secret, "headers");
        }
        if (authorization == null) {
            return null;
        }
        String auth = authorization.trim();
        int space = auth.indexOf(' ');
        String scheme = space < 0 ? auth : auth.substring(0, space);
        String value = space < 0 ? "" : auth.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            if (value.isEmpty()) {
                throw new CredentialException(401, "empty_bearer_token");
            }
            return new Credential.Bearer(value);
        }
        if (scheme.equalsIgnoreCase("Basic") && basicEnabled) {
            return basic(value);
        }
        throw new CredentialException(401, "unsupported_authorization_scheme");
    }

    private static Credential basic(String value) throws CredentialException {
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(value)))
                    .toString();
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw new CredentialException(400, "malformed_basic_credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0 || colon == decoded.length() - 1) {
            throw new CredentialException(400, "malformed_basic_credentials");
        }
        return clientSecret(formDecode(decoded.substring(0, colon)), formDecode(decoded.substring(colon + 1)), "basic");
    }

    private static Credential clientSecret(String id, String secret, String source) throws CredentialException {
        if (!CredentialShape.isWellFormedClientId(id)) {
            throw new CredentialException(401, "invalid_client_id_format");
        }
        if (!CredentialShape.isWellFormedSecret(secret)) {
            throw new CredentialException(401, "invalid_client_secret_format");
        }
        return new Credential.ClientSecret(id, secret, source);
    }

    /**
     * {@code application/x-www-form-urlencoded} decoding (WHATWG URL §5.1, as RFC 6749 §2.3.1 asks): {@code +} is a
     * space, {@code %XX} a byte, the bytes strict UTF-8. Unlike {@code URLDecoder}, a bad escape, a byte sequence that
     * is not UTF-8 or an unescaped non-ASCII character is an error, not a replacement character.
     */
    static String formDecode(String value) throws CredentialException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(value.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new CredentialException(400, "malformed_basic_credentials");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                // A form encoder escapes every non-ASCII character; a raw one means the client did not encode at all.
                throw new CredentialException(400, "malformed_basic_credentials");
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new CredentialException(400, "malformed_basic_credentials");
        }
    }

    /** The header's only value, null when absent; a repeated credential header is refused. */
    private static String single(MultiMap headers, CharSequence name) throws CredentialException {
        if (!headers.contains(name)) {
            return null;
        }
        List<String> all = headers.getAll(name);
        // A comma means a proxy folded two headers into one: JWTs, base64, IDs and secrets never contain one.
        if (all.size() > 1 || all.get(0).indexOf(',') >= 0) {
            throw new CredentialException(400, "duplicate_credential_header");
        }
        return all.get(0);
    }
}

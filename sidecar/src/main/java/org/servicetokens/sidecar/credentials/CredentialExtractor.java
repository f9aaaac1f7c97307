package org.servicetokens.sidecar.credentials;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.servicetokens.sidecar.config.SidecarConfig;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Finds the one credential of a request, in contract order: Bearer JWT, service-token headers, HTTP Basic,
 * session. Anything that could be read two ways is refused with 400 rather than guessed: a repeated
 * credential header, two header aliases at once, headers plus an Authorization header, half a pair.
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
    this.secretHeaderKeys = secretHeaders.stream().map(HttpHeaders::createOptimized).toList();
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
      return new Credential.ClientSecret(id.trim(), secret, "headers");
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
      decoded = StandardCharsets.UTF_8.newDecoder()
          .decode(java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(value))).toString();
    } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
      throw new CredentialException(400, "malformed_basic_credentials");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0 || colon == decoded.length() - 1) {
      throw new CredentialException(400, "malformed_basic_credentials");
    }
    return new Credential.ClientSecret(decoded.substring(0, colon), decoded.substring(colon + 1), "basic");
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

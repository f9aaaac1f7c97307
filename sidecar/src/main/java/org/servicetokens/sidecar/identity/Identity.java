package org.servicetokens.sidecar.identity;

import java.util.List;
import java.util.Map;

/**
 * Who is calling, as proven by a verified Keycloak access token. Immutable and shared between requests
 * through the verified-token cache. {@link #toString()} leaves the token out: identities get logged.
 *
 * @param token the verified access token, forwarded as {@code X-Access-Jwt-Assertion}; never logged
 */
public record Identity(
    Type type,
    String subject,
    String username,
    String email,
    String clientId,
    String tokenId,
    String tokenName,
    List<String> roles,
    Map<String, List<String>> clientRoles,
    List<String> groups,
    long issuedAt,
    long expiresAt,
    String token) {

  public enum Type {
    USER, SERVICE;

    public String wireName() {
      return this == USER ? "user" : "service";
    }
  }

  public Identity withType(Type newType) {
    return newType == type ? this
        : new Identity(newType, subject, username, email, clientId, tokenId, tokenName, roles, clientRoles, groups,
            issuedAt, expiresAt, token);
  }

  @Override
  public String toString() {
    return "Identity[type=" + type + ", subject=" + subject + ", clientId=" + clientId + ", tokenName=" + tokenName + "]";
  }
}

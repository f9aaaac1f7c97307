package org.servicetokens.sidecar.identity;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import org.servicetokens.sidecar.config.SidecarConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The trust boundary towards the app. {@link #strip} runs on every request before anything is forwarded
 * (HTTP and WebSocket alike, PITFALLS 6): it removes every header the app could mistake for ours, compared
 * after lower-casing and mapping {@code _} to {@code -} (many servers treat {@code X_Auth_User} as
 * {@code X-Auth-User}), plus the credential headers and the sidecar's cookies. {@link #apply} then adds the
 * identity of a verified caller.
 */
public final class IdentityHeaders {

  public static final String ASSERTION = "X-Access-Jwt-Assertion";
  public static final String TYPE = "X-Auth-Type";
  public static final String SUBJECT = "X-Auth-Subject";
  public static final String USERNAME = "X-Auth-Username";
  public static final String EMAIL = "X-Auth-Email";
  public static final String CLIENT_ID = "X-Auth-Client-Id";
  public static final String TOKEN_NAME = "X-Auth-Token-Name";
  public static final String ROLES = "X-Auth-Roles";
  public static final String GROUPS = "X-Auth-Groups";

  /** Exact names (canonical form) never passed through from the client. */
  private static final Set<String> RESERVED = Set.of(
      "x-access-jwt-assertion", "authorization", "proxy-authorization", "remote-user", "forwarded", "x-real-ip",
      "x-remote-user", "x-user", "x-email");
  /** Whole families: ours now, ours tomorrow, or read as identity by common frameworks. */
  private static final List<String> RESERVED_PREFIXES = List.of("x-auth-", "x-forwarded-", "x-access-");

  private final Set<String> credentialHeaders = new HashSet<>();
  private final String cookiePrefix;

  public IdentityHeaders(SidecarConfig config) {
    config.credentials.clientIdHeaders.forEach(h -> credentialHeaders.add(canonical(h)));
    config.credentials.clientSecretHeaders.forEach(h -> credentialHeaders.add(canonical(h)));
    this.cookiePrefix = config.cookies.name;
  }

  static String canonical(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public boolean isStripped(String name) {
    String c = canonical(name);
    if (RESERVED.contains(c) || credentialHeaders.contains(c)) {
      return true;
    }
    for (String p : RESERVED_PREFIXES) {
      if (c.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** Removes spoofable and credential headers and the sidecar's cookies, in place. */
  public void strip(MultiMap headers) {
    List<String> doomed = new ArrayList<>();
    for (String name : headers.names()) {
      if (isStripped(name)) {
        doomed.add(name);
      }
    }
    doomed.forEach(headers::remove);
    List<String> cookies = headers.getAll("Cookie");
    if (!cookies.isEmpty()) {
      List<String> kept = new ArrayList<>();
      for (String header : cookies) {
        for (String pair : header.split(";")) {
          String p = pair.trim();
          if (!p.isEmpty() && !isOurCookie(p)) {
            kept.add(p);
          }
        }
      }
      headers.remove("Cookie");
      if (!kept.isEmpty()) {
        headers.set("Cookie", String.join("; ", kept));
      }
    }
  }

  private boolean isOurCookie(String pair) {
    int eq = pair.indexOf('=');
    String name = (eq < 0 ? pair : pair.substring(0, eq)).trim();
    String bare = name.startsWith("__Host-") ? name.substring(7) : name.startsWith("__Secure-") ? name.substring(9) : name;
    return bare.regionMatches(true, 0, cookiePrefix, 0, cookiePrefix.length());
  }

  /** X-Forwarded-* describe the client's request to us; set on every forwarded request, authenticated or not. */
  public void forwarded(HttpServerRequest request, MultiMap headers) {
    String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (remote != null) {
      headers.set("X-Forwarded-For", remote);
    }
    headers.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
    if (request.authority() != null) {
      headers.set("X-Forwarded-Host", safe(request.authority().toString()));
    }
  }

  public void apply(Identity id, MultiMap headers) {
    headers.set(ASSERTION, id.token());
    headers.set(TYPE, id.type().wireName());
    put(headers, SUBJECT, id.subject());
    put(headers, USERNAME, id.username());
    put(headers, EMAIL, id.email());
    put(headers, CLIENT_ID, id.clientId());
    put(headers, TOKEN_NAME, id.tokenName());
    List<String> roles = new ArrayList<>(id.roles());
    for (Map.Entry<String, List<String>> e : id.clientRoles().entrySet()) {
      for (String r : e.getValue()) {
        roles.add(e.getKey() + ":" + r);
      }
    }
    put(headers, ROLES, roles.isEmpty() ? null : String.join(",", roles));
    put(headers, GROUPS, id.groups().isEmpty() ? null : String.join(",", id.groups()));
  }

  private static void put(MultiMap headers, String name, String value) {
    if (value != null && !value.isEmpty()) {
      headers.set(name, safe(value));
    }
  }

  /**
   * Claims are Keycloak data, but still text from users (names, emails): control characters are dropped and
   * non-ASCII is percent-encoded as UTF-8, so no value can split or corrupt the header block.
   */
  static String safe(String value) {
    StringBuilder sb = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean plain = c >= 0x20 && c < 0x7f && c != '%';
      if (plain && sb == null) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(value.length() + 16).append(value, 0, i);
      }
      if (plain) {
        sb.append(c);
      } else if (c == '%' || c > 0x7f) {
        int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
        for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
          sb.append('%').append(String.format("%02X", b & 0xff));
        }
        i = end - 1;
      }
    }
    return sb == null ? value : sb.toString();
  }
}

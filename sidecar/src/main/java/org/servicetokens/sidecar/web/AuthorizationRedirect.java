package org.servicetokens.sidecar.web;

import io.vertx.ext.web.RoutingContext;
import org.servicetokens.sidecar.jwt.OidcMetadata;
import org.servicetokens.sidecar.jwt.OidcProvider;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The plain login redirect: authorization code request to Keycloak with the app's client ID. */
public final class AuthorizationRedirect implements LoginFlow {

  public static final String CALLBACK_PATH = "/.sidecar/callback";

  private final OidcProvider provider;
  private final String clientId;
  private final String publicUrl;

  public AuthorizationRedirect(OidcProvider provider, String clientId, String publicUrl) {
    this.provider = provider;
    this.clientId = clientId;
    this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  @Override
  public void start(RoutingContext ctx) {
    OidcMetadata meta = provider.metadataNow();
    if (meta == null || meta.authorizationEndpoint() == null) {
      ctx.put("decision", "error").put("reason", "keycloak_unavailable");
      ctx.response().putHeader("Retry-After", "5");
      Answers.refuse(ctx, 503, "temporarily_unavailable", "keycloak_unavailable");
      return;
    }
    // Keycloak only redirects to registered URIs, so a forged Host cannot send the code elsewhere.
    var authority = ctx.request().authority();
    String base = publicUrl.isEmpty()
        ? (ctx.request().isSSL() ? "https://" : "http://") + (authority == null ? "localhost" : authority.toString())
        : publicUrl;
    String location = meta.authorizationEndpoint()
        + (meta.authorizationEndpoint().contains("?") ? "&" : "?")
        + "client_id=" + enc(clientId)
        + "&response_type=code&scope=openid"
        + "&redirect_uri=" + enc(base + CALLBACK_PATH);
    ctx.put("decision", "login").put("reason", "no_credentials");
    ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
    ctx.request().resume();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}

package org.servicetokens.sidecar.session;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.servicetokens.sidecar.jwt.OidcProvider;
import org.servicetokens.sidecar.jwt.TokenRejected;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * The app client's side of the token endpoint: authorization code (with the PKCE verifier) and refresh token
 * grants. Authenticates with {@code client_secret_post} when {@code app.client-secret} is set, as a public
 * client otherwise. Fails with {@link TokenRejected}: {@code unavailable} when Keycloak could not be asked
 * (connection, timeout, 5xx), otherwise with Keycloak's error code ({@code invalid_grant}…).
 */
public final class KeycloakTokens {

  private static final Logger LOG = Logger.getLogger(KeycloakTokens.class.getName());

  /** What the token endpoint answered; {@code refreshToken}/{@code idToken} may be null on refresh. */
  public record Grant(String accessToken, String refreshToken, String idToken, long expiresIn, long refreshExpiresIn) {
    @Override
    public String toString() {
      return "Grant[expiresIn=" + expiresIn + ", tokens=***]";
    }
  }

  private final OidcProvider provider;
  private final String clientId;
  private final String clientSecret;
  private final long timeoutMs;

  public KeycloakTokens(OidcProvider provider, String clientId, String clientSecret, Duration timeout) {
    this.provider = provider;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.timeoutMs = timeout.toMillis();
  }

  public Future<Grant> exchangeCode(String code, String redirectUri, String verifier) {
    return call(form().add("grant_type", "authorization_code").add("code", code)
        .add("redirect_uri", redirectUri).add("code_verifier", verifier));
  }

  public Future<Grant> refresh(String refreshToken) {
    return call(form().add("grant_type", "refresh_token").add("refresh_token", refreshToken));
  }

  private MultiMap form() {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("client_id", clientId);
    if (!clientSecret.isEmpty()) {
      form.add("client_secret", clientSecret);
    }
    return form;
  }

  private Future<Grant> call(MultiMap form) {
    return provider.metadata()
        .recover(err -> Future.failedFuture(new TokenRejected("keycloak_unavailable", true)))
        .compose(meta -> provider.client().postAbs(meta.tokenEndpoint())
            .timeout(timeoutMs)
            .putHeader("Accept", "application/json")
            .sendForm(form))
        .transform(ar -> {
          if (ar.failed() && ar.cause() instanceof TokenRejected r) {
            return Future.failedFuture(r);
          }
          if (ar.failed() || ar.result().statusCode() >= 500) {
            LOG.warning("token endpoint unavailable for a browser session: "
                + (ar.failed() ? ar.cause().getClass().getSimpleName() : "HTTP " + ar.result().statusCode()));
            return Future.failedFuture(new TokenRejected("keycloak_unavailable", true));
          }
          return parse(ar.result());
        });
  }

  private static Future<Grant> parse(HttpResponse<Buffer> response) {
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (response.statusCode() != 200 || body == null || !(body.getValue("access_token") instanceof String access)) {
      String error = body != null && body.getValue("error") instanceof String e && e.matches("[a-z_]{1,40}") ? e : "token_refused";
      return Future.failedFuture(new TokenRejected(error));
    }
    return Future.succeededFuture(new Grant(access,
        body.getValue("refresh_token") instanceof String r ? r : null,
        body.getValue("id_token") instanceof String i ? i : null,
        body.getValue("expires_in") instanceof Number n ? n.longValue() : 0,
        body.getValue("refresh_expires_in") instanceof Number n ? n.longValue() : 0));
  }
}

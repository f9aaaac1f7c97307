package org.servicetokens.sidecar.session;

import io.vertx.core.json.JsonObject;

/**
 * A login between the redirect to Keycloak and the callback, keyed by a hash of its {@code state}.
 *
 * @param bindingHash SHA-256 of the login cookie of the browser that started it (a callback from another
 *                    browser, i.e. a forged or stolen {@code state}, does not match)
 * @param redirectUri exactly the {@code redirect_uri} sent, which the code exchange must repeat
 */
public record PendingLogin(String verifier, String nonce, String returnUrl, String bindingHash, String redirectUri) {

  String encode() {
    return new JsonObject().put("v", verifier).put("n", nonce).put("r", returnUrl).put("b", bindingHash)
        .put("u", redirectUri).encode();
  }

  static PendingLogin decode(String json) {
    JsonObject j = new JsonObject(json);
    return new PendingLogin(j.getString("v"), j.getString("n"), j.getString("r"), j.getString("b"), j.getString("u"));
  }

  @Override
  public String toString() {
    return "PendingLogin[returnUrl=" + returnUrl + ", secrets=***]";
  }
}

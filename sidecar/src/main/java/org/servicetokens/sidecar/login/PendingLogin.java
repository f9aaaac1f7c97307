package org.servicetokens.sidecar.login;

import io.vertx.core.json.JsonObject;

/**
 * A login between the redirect to Keycloak and the callback. It lives only in the browser, sealed in a login cookie
 * ({@link PendingLogins}); nothing about it is stored on the server.
 *
 * @param stateHash   SHA-256 (hex) of the {@code state} sent to Keycloak: the callback's state must hash to it
 * @param redirectUri exactly the {@code redirect_uri} sent, which the code exchange must repeat
 * @param expiresAt   epoch seconds after which the callback is refused ({@code login.timeout} after the start)
 */
public record PendingLogin(
        String stateHash, String verifier, String nonce, String returnUrl, String redirectUri, long expiresAt) {

    String encode() {
        return new JsonObject()
                .put("s", stateHash)
                .put("v", verifier)
                .put("n", nonce)
                .put("r", returnUrl)
                .put("u", redirectUri)
                .put("e", expiresAt)
                .encode();
    }

    static PendingLogin decode(String json) {
        JsonObject j = new JsonObject(json);
        return new PendingLogin(
                j.getString("s"),
                j.getString("v"),
                j.getString("n"),
                j.getString("r"),
                j.getString("u"),
                j.getLong("e"));
    }

    @Override
    public String toString() {
        return "PendingLogin[returnUrl=" + returnUrl + ", secrets=***]";
    }
}

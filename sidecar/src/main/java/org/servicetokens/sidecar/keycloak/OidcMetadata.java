package org.servicetokens.sidecar.keycloak;

import io.vertx.core.json.JsonObject;

/** The parts of the realm's discovery document the sidecar uses. */
public record OidcMetadata(
        String issuer, String jwksUri, String tokenEndpoint, String authorizationEndpoint, String endSessionEndpoint) {

    static OidcMetadata from(JsonObject doc, String expectedIssuer) {
        String issuer = doc.getString("issuer");
        if (!expectedIssuer.equals(issuer)) {
            // A discovery document for another issuer would make us trust its keys for ours.
            throw new IllegalStateException(
                    "discovery issuer '" + issuer + "' differs from keycloak.issuer '" + expectedIssuer + "'");
        }
        String jwks = doc.getString("jwks_uri");
        String token = doc.getString("token_endpoint");
        if (jwks == null || token == null) {
            throw new IllegalStateException("discovery document lacks jwks_uri or token_endpoint");
        }
        return new OidcMetadata(
                issuer, jwks, token, doc.getString("authorization_endpoint"), doc.getString("end_session_endpoint"));
    }
}

package org.servicetokens.keycloak.authenticator;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;

import org.keycloak.OAuth2Constants;
import org.keycloak.http.HttpRequest;
import org.keycloak.util.BasicAuthHelper;

/**
 * The client ID and secret of a token request, from {@code client_secret_basic} or {@code client_secret_post},
 * parsed as Keycloak's stock client-secret authenticator does (a form {@code client_id} names the client) so both
 * agree on who is calling; credentials given two conflicting ways are marked ambiguous and refused.
 */
record ClientCredentials(String clientId, String secret, String method) {

    static final String BASIC = "client_secret_basic";
    static final String POST = "client_secret_post";

    static ClientCredentials from(HttpRequest request) {
        String clientId = null;
        String secret = null;
        String method = null;
        String authorization = request.getHttpHeaders().getRequestHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String[] pair = BasicAuthHelper.RFC6749.parseHeader(authorization);
            if (pair != null) {
                clientId = pair[0];
                secret = pair[1];
                method = BASIC;
            }
        }
        MediaType mediaType = request.getHttpHeaders().getMediaType();
        if (mediaType != null && mediaType.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            MultivaluedMap<String, String> form = request.getDecodedFormParameters();
            String formClientId = form.getFirst(OAuth2Constants.CLIENT_ID);
            if (formClientId != null) {
                if (clientId != null && !clientId.equals(formClientId)) {
                    method = "ambiguous";
                }
                clientId = formClientId;
            }
            if (form.containsKey(OAuth2Constants.CLIENT_SECRET)) {
                // Both ways at once is ambiguous (RFC 6749 §2.3: use only one): refuse rather than pick one.
                method = method == null ? POST : "ambiguous";
                secret = form.getFirst(OAuth2Constants.CLIENT_SECRET);
            }
        }
        return new ClientCredentials(clientId, secret, method);
    }

    boolean ambiguous() {
        return "ambiguous".equals(method);
    }

    @Override
    public String toString() {
        return "ClientCredentials[clientId=" + clientId + ", method=" + method + "]";
    }
}

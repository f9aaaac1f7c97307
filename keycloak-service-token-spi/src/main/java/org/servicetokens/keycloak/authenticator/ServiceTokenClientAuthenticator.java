package org.servicetokens.keycloak.authenticator;

import java.time.Instant;

import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.models.ClientModel;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.mapper.ServiceTokenClaimsMapper;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * Authenticates a service token at the token endpoint. Keycloak runs every authenticator of the client flow and
 * keeps only the result of the one named by the client's {@code clientAuthenticatorType}, so for any other
 * client this returns at once. Every refusal is the same {@code 401 invalid_client} to the caller; the event's
 * {@value #ERROR_DETAIL} detail tells the admin which check failed.
 */
final class ServiceTokenClientAuthenticator implements ClientAuthenticator {

    static final String ERROR_DETAIL = "service_token_error";
    static final String SECRET_DETAIL = "service_token_secret";

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        ClientCredentials credentials = ClientCredentials.from(context.getHttpRequest());
        if (credentials.clientId() == null) {
            context.attempted();
            return;
        }
        ClientModel client = context.getSession().clients().getClientByClientId(context.getRealm(), credentials.clientId());
        if (!ServiceToken.isServiceToken(client)) {
            context.attempted();
            return;
        }
        ServiceToken token = ServiceToken.of(client).orElseThrow();
        context.getEvent().client(client);
        context.setClient(client);
        Instant now = Instant.now();

        if (credentials.ambiguous()) {
            refuse(context, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "ambiguous_credentials");
        } else if (!client.isEnabled()) {
            refuse(context, AuthenticationFlowError.CLIENT_DISABLED, "disabled");
        } else if (credentials.secret() == null) {
            refuse(context, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "missing_secret");
        } else if (!TokenSecrets.isWellFormed(credentials.secret())) {
            refuse(context, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "malformed_secret");
        } else if (TokenSecrets.matches(credentials.secret(), token.secretHash())) {
            if (token.isExpired(now)) {
                refuse(context, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "expired");
            } else {
                accept(context, token, "current", token.currentSecretId(), now);
            }
        } else if (TokenSecrets.matches(credentials.secret(), token.previousSecretHash())) {
            if (!token.previousSecretValid(now)) {
                refuse(context, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "previous_secret_expired");
            } else if (token.isExpired(now)) {
                refuse(context, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "expired");
            } else {
                accept(context, token, "previous", token.previousSecretId(), now);
            }
        } else {
            refuse(context, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "wrong_secret");
        }
    }

    /**
     * The id of the secret that matched goes to the claims mapper through the session (one token request, one
     * session): the JWT names the secret that minted it, as decided here, even if an admin rotates meanwhile.
     */
    private static void accept(ClientAuthenticationFlowContext context, ServiceToken token, String which, String secretId,
                               Instant now) {
        context.getEvent().detail(SECRET_DETAIL, which);
        context.getSession().setAttribute(ServiceTokenClaimsMapper.secretIdAttribute(token.id()), secretId);
        LastUsedTracker.instance().record(context.getRealm().getId(), token.id(), now);
        context.success();
    }

    private static void refuse(ClientAuthenticationFlowContext context, AuthenticationFlowError error, String reason) {
        context.getEvent().detail(ERROR_DETAIL, reason);
        Response challenge = ClientAuthUtil.errorResponse(Response.Status.UNAUTHORIZED.getStatusCode(),
                "invalid_client", "Invalid client or Invalid client credentials");
        context.failure(error, challenge);
    }

    @Override
    public void close() {
    }
}

package org.servicetokens.keycloak.authenticator;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.models.ClientModel;
import org.keycloak.models.delegate.ClientModelLazyDelegate;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.model.Problem;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenProtocol;
import org.servicetokens.keycloak.model.TokenHealth;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * Authenticates a service token at the token endpoint. Keycloak runs every authenticator of the client flow and
 * keeps only the result of the one named by the client's {@code clientAuthenticatorType}, so for any other
 * client this returns at once. It runs first in the flow (see {@link FlowInstaller}), so for a service token no
 * other authenticator ever parses the credentials. Every refusal is the same {@code 401 invalid_client} to the
 * caller (RFC 6749 §5.2); the event's {@value #ERROR_DETAIL} detail tells the admin which check failed, and
 * {@value #PROBLEMS_DETAIL} lists every problem of a broken token ({@link TokenHealth}).
 */
final class ServiceTokenClientAuthenticator implements ClientAuthenticator {

    static final String ERROR_DETAIL = "service_token_error";
    static final String SECRET_DETAIL = "service_token_secret";
    static final String PROBLEMS_DETAIL = "service_token_problems";
    private static final int MAX_CLIENT_ID = 255;

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        ClientCredentials credentials = ClientCredentials.from(context.getHttpRequest());
        if (credentials.clientId() == null || credentials.clientId().isEmpty() || credentials.clientId().length() > MAX_CLIENT_ID) {
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
        Instant now = Instant.now();

        if (credentials.problem() != null) {
            refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, credentials.problem());
            return;
        }
        if (!client.isEnabled()) {
            refuse(context, client, AuthenticationFlowError.CLIENT_DISABLED, "disabled");
            return;
        }
        List<Problem> problems = TokenHealth.problems(context.getSession(), token);
        if (!problems.isEmpty()) {
            // The first problem is the reason; the others are listed for the admin reading the event.
            context.getEvent().detail(PROBLEMS_DETAIL, problems.stream().map(Problem::reason).collect(Collectors.joining(",")));
            refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, problems.get(0).reason());
            return;
        }
        if (credentials.secret() == null) {
            refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "missing_secret");
        } else if (!TokenSecrets.isWellFormed(credentials.secret())) {
            refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "malformed_secret");
        } else if (TokenSecrets.matches(credentials.secret(), token.secretHash())) {
            if (token.isExpired(now)) {
                refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "expired");
            } else {
                accept(context, client, token, "current", token.currentSecretId(), now);
            }
        } else if (TokenSecrets.matches(credentials.secret(), token.previousSecretHash())) {
            if (!token.previousSecretValid(now)) {
                refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "previous_secret_expired");
            } else if (token.isExpired(now)) {
                refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "expired");
            } else {
                accept(context, client, token, "previous", token.previousSecretId(), now);
            }
        } else {
            refuse(context, client, AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "wrong_secret");
        }
    }

    /**
     * The id of the secret that matched goes to the claims mapper through the session (one token request, one
     * session): the JWT names the secret that minted it, as decided here, even if an admin rotates meanwhile.
     */
    private static void accept(ClientAuthenticationFlowContext context, ClientModel client, ServiceToken token, String which,
                               String secretId, Instant now) {
        context.setClient(client);
        context.getEvent().detail(SECRET_DETAIL, which);
        context.getSession().setAttribute(ServiceTokenProtocol.secretIdAttribute(token.id()), secretId);
        LastUsedTracker.instance().record(context.getRealm().getId(), token.id(), now);
        context.success();
    }

    /**
     * Keycloak's flow keeps only the answer of the authenticator named by the client's type, and treats a public
     * client as a {@code client-secret} one. A token whose type or confidentiality was changed behind our back
     * must still get our refusal, so the flow is shown the client as what it must be.
     */
    private static void refuse(ClientAuthenticationFlowContext context, ClientModel client, AuthenticationFlowError error, String reason) {
        context.setClient(new AsServiceToken(client));
        context.getEvent().detail(ERROR_DETAIL, reason);
        Response challenge = ClientAuthUtil.errorResponse(Response.Status.UNAUTHORIZED.getStatusCode(),
                "invalid_client", "Invalid client or Invalid client credentials");
        context.failure(error, challenge);
    }

    /** The token's client as the flow must judge it: of our authenticator type and confidential. */
    private static final class AsServiceToken extends ClientModelLazyDelegate {

        AsServiceToken(ClientModel client) {
            super(() -> client);
        }

        @Override
        public String getClientAuthenticatorType() {
            return ServiceTokenClientAuthenticatorFactory.PROVIDER_ID;
        }

        @Override
        public boolean isPublicClient() {
            return false;
        }
    }

    @Override
    public void close() {
    }
}

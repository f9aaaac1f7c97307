package org.servicetokens.keycloak.authenticator;

import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.models.ClientModel;
import org.keycloak.models.delegate.ClientModelLazyDelegate;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenProtocol;
import org.servicetokens.keycloak.model.TokenHealth;

/**
 * Authenticates a service token at the token endpoint. Keycloak runs every authenticator of the client flow and
 * keeps only the result of the one named by the client's {@code clientAuthenticatorType}, so for any other
 * client this returns at once. It runs first in the flow (see {@link FlowInstaller}), so for a service token no
 * other authenticator ever parses the credentials. Every refusal is the same {@code 401 invalid_client} to the
 * caller (RFC 6749 §5.2); the event's {@value #ERROR_DETAIL} detail tells the admin which check failed, and
 * {@value #PROBLEMS_DETAIL} lists every problem of a broken token ({@link TokenHealth}). This class gathers the
 * inputs and applies the outcome; {@link AuthenticationDecision} decides.
 */
final class ServiceTokenClientAuthenticator implements ClientAuthenticator {

    static final String ERROR_DETAIL = "service_token_error";
    static final String SECRET_DETAIL = "service_token_secret";
    static final String PROBLEMS_DETAIL = "service_token_problems";

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        ClientCredentials credentials = ClientCredentials.from(context.getHttpRequest());
        ClientModel client = AuthenticationDecision.namesClient(credentials)
                ? context.getSession().clients().getClientByClientId(context.getRealm(), credentials.clientId())
                : null;
        ServiceToken token = ServiceToken.of(client).orElse(null);
        if (token != null) {
            context.getEvent().client(client);
        }
        Instant now = Instant.now();
        String clientAddress = clientAddress(context);
        AuthenticationDecision decision = AuthenticationDecision.decide(
                credentials,
                clientAddress,
                token == null ? null : AuthenticationDecision.TokenState.of(context.getSession(), token),
                now);
        switch (decision.verdict()) {
            case PASS -> context.attempted();
            case ACCEPT -> accept(context, client, token, decision, now, clientAddress);
            case REFUSE -> refuse(context, client, decision);
        }
    }

    /**
     * The id of the secret that matched goes to the claims mapper through the session (one token request, one
     * session): the JWT names the secret that minted it, as decided here, even if an admin rotates meanwhile.
     */
    private static void accept(
            ClientAuthenticationFlowContext context,
            ClientModel client,
            ServiceToken token,
            AuthenticationDecision decision,
            Instant now,
            String clientAddress) {
        context.setClient(client);
        context.getEvent().detail(SECRET_DETAIL, decision.secret());
        context.getSession().setAttribute(ServiceTokenProtocol.secretIdAttribute(token.id()), decision.secretId());
        String secretHash = AuthenticationDecision.PREVIOUS.equals(decision.secret())
                ? token.previousSecretHash()
                : token.secretHash();
        LastUsedTracker.instance()
                .record(
                        context.getRealm().getId(),
                        token.id(),
                        secretHash,
                        now,
                        clientAddress,
                        context.getHttpRequest().getHttpHeaders().getHeaderString("User-Agent"));
        context.success();
    }

    /**
     * The client address as Keycloak resolved it: the socket's peer, or the address from {@code X-Forwarded-For} /
     * {@code Forwarded} when Keycloak runs with {@code --proxy-headers} and the peer is one of
     * {@code --proxy-trusted-addresses}. Null when unknown (a token with networks then refuses).
     */
    private static String clientAddress(ClientAuthenticationFlowContext context) {
        var connection = context.getSession().getContext().getConnection();
        return connection == null ? null : connection.getRemoteAddr();
    }

    /**
     * Keycloak's flow keeps only the answer of the authenticator named by the client's type, and treats a public
     * client as a {@code client-secret} one. A token whose type or confidentiality was changed behind our back
     * must still get our refusal, so the flow is shown the client as what it must be.
     */
    private static void refuse(
            ClientAuthenticationFlowContext context, ClientModel client, AuthenticationDecision decision) {
        context.setClient(new AsServiceToken(client));
        if (decision.problems() != null) {
            context.getEvent().detail(PROBLEMS_DETAIL, decision.problems());
        }
        context.getEvent().detail(ERROR_DETAIL, decision.reason());
        Response challenge = ClientAuthUtil.errorResponse(
                AuthenticationDecision.STATUS, "invalid_client", "Invalid client or Invalid client credentials");
        context.failure(decision.error(), challenge);
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
    public void close() {}
}

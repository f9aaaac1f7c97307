package org.servicetokens.keycloak.authenticator;

import java.time.Instant;
import java.util.List;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.models.KeycloakSession;
import org.servicetokens.keycloak.model.AllowedNetworks;
import org.servicetokens.keycloak.model.Problem;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.TokenHealth;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * What the service-token authenticator does with one token request, decided by a pure function
 * ({@link #decide}) of the credentials presented, the client address Keycloak resolved for the request, the token's
 * stored state and the time: pass (not ours), accept
 * (with the secret that matched) or refuse (with the reason). Every refusal is the same {@value #STATUS}
 * {@code {"error": "invalid_client"}} to the caller (RFC 6749 §5.2); the reason goes to the Keycloak event's
 * {@code service_token_error} detail, and {@link #error} is the event's error. The checks, in order:
 * <ol>
 *   <li>no usable client ID (none, empty, over {@value #MAX_CLIENT_ID} characters), or not a service token: pass;</li>
 *   <li>credentials given two ways or unreadable: {@code ambiguous_credentials}, {@code malformed_credentials};</li>
 *   <li>the token disabled: {@code disabled} ({@link AuthenticationFlowError#CLIENT_DISABLED});</li>
 *   <li>the token broken: its first problem's reason, every reason listed in {@link #problems};</li>
 *   <li>the secret: {@code missing_secret}, {@code malformed_secret} (not the published {@code kcst_} shape or
 *       checksum), then the current secret ({@code expired} past the token's expiry), then the previous secret
 *       ({@code previous_secret_expired} past its grace end, then {@code expired}), else {@code wrong_secret};</li>
 *   <li>a secret that would be accepted, from a client address outside the token's allowed networks (or an address
 *       that cannot be read, when the token has networks): {@code address_not_allowed}. Checked after the secret, so
 *       this reason always means "the right secret, from the wrong place", which is what an admin must look into.</li>
 * </ol>
 *
 * @param verdict  pass, accept or refuse
 * @param error    the flow error of a refusal (the event's error), else null
 * @param reason   the refusal's reason, else null
 * @param problems a broken token's problem reasons, comma-separated, else null
 * @param secret   which secret was accepted: {@value #CURRENT} or {@value #PREVIOUS}, else null
 * @param secretId the accepted secret's {@link TokenSecrets#secretId}, which its JWT will carry, else null
 */
record AuthenticationDecision(
        Verdict verdict,
        AuthenticationFlowError error,
        String reason,
        String problems,
        String secret,
        String secretId) {

    enum Verdict {
        /** Not a service token's request: the authenticator steps aside ({@code attempted}). */
        PASS,
        ACCEPT,
        REFUSE
    }

    /** The HTTP status of every refusal. */
    static final int STATUS = 401;

    static final String CURRENT = "current";
    static final String PREVIOUS = "previous";
    static final int MAX_CLIENT_ID = 255;

    private static final AuthenticationDecision PASSED =
            new AuthenticationDecision(Verdict.PASS, null, null, null, null, null);

    /**
     * What the decision reads of a token, as stored. Unreadable attributes show as {@code problems} (and refuse
     * before anything else is read), so the times here are the readable ones.
     *
     * @param problems                 the reasons of what makes the token unable to work ({@link TokenHealth}), in
     *                                 order; empty when healthy
     * @param expiresAt                null when the token never expires
     * @param previousSecretHash       null when there is no previous secret
     * @param previousSecretExpiresAt  the previous secret's grace end, null when there is none
     * @param generation               see {@link ServiceToken#generation()}
     * @param networks                 where the token may be used from ({@link AllowedNetworks#ANY}: anywhere)
     */
    record TokenState(
            boolean enabled,
            List<String> problems,
            String secretHash,
            Instant expiresAt,
            String previousSecretHash,
            Instant previousSecretExpiresAt,
            long generation,
            AllowedNetworks networks) {

        static TokenState of(KeycloakSession session, ServiceToken token) {
            return new TokenState(
                    token.enabled(),
                    TokenHealth.problems(session, token).stream()
                            .map(Problem::reason)
                            .toList(),
                    token.secretHash(),
                    token.expiresAt().orElse(null),
                    token.previousSecretHash(),
                    token.previousSecretExpiresAt().orElse(null),
                    token.generation(),
                    token.networks());
        }

        boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }

        boolean previousSecretValid(Instant now) {
            return previousSecretHash != null
                    && previousSecretExpiresAt != null
                    && now.isBefore(previousSecretExpiresAt);
        }
    }

    /** Whether the credentials name a client worth looking up: a client ID of 1 to {@value #MAX_CLIENT_ID} characters. */
    static boolean namesClient(ClientCredentials credentials) {
        return credentials.clientId() != null
                && !credentials.clientId().isEmpty()
                && credentials.clientId().length() <= MAX_CLIENT_ID;
    }

    /**
     * @param credentials   what the request presented (see {@link ClientCredentials})
     * @param clientAddress the client address Keycloak resolved ({@code ClientConnection.getRemoteAddr()}), or null
     * @param token         the state of the service token the credentials name, or null when they name no service token
     * @param now           the time of the request
     */
    static AuthenticationDecision decide(
            ClientCredentials credentials, String clientAddress, TokenState token, Instant now) {
        if (!namesClient(credentials) || token == null) {
            return PASSED;
        }
        if (credentials.problem() != null) {
            return refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, credentials.problem());
        }
        if (!token.enabled()) {
            return refuse(AuthenticationFlowError.CLIENT_DISABLED, "disabled");
        }
        if (!token.problems().isEmpty()) {
            // The first problem is the reason; the others are listed for the admin reading the event.
            return new AuthenticationDecision(
                    Verdict.REFUSE,
                    AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS,
                    token.problems().get(0),
                    String.join(",", token.problems()),
                    null,
                    null);
        }
        String secret = credentials.secret();
        if (secret == null) {
            return refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "missing_secret");
        }
        if (!TokenSecrets.isWellFormed(secret)) {
            return refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "malformed_secret");
        }
        if (TokenSecrets.matches(secret, token.secretHash())) {
            return token.expired(now)
                    ? refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "expired")
                    : acceptFrom(clientAddress, token, CURRENT, token.secretHash());
        }
        if (TokenSecrets.matches(secret, token.previousSecretHash())) {
            if (!token.previousSecretValid(now)) {
                return refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "previous_secret_expired");
            }
            return token.expired(now)
                    ? refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "expired")
                    : acceptFrom(clientAddress, token, PREVIOUS, token.previousSecretHash());
        }
        return refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "wrong_secret");
    }

    /** The matched secret is accepted only from an allowed network. */
    private static AuthenticationDecision acceptFrom(
            String clientAddress, TokenState token, String secret, String secretHash) {
        AllowedNetworks networks = token.networks() == null ? AllowedNetworks.ANY : token.networks();
        if (!networks.allows(clientAddress)) {
            return refuse(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, "address_not_allowed");
        }
        return accept(secret, TokenSecrets.secretId(secretHash, token.generation()));
    }

    private static AuthenticationDecision refuse(AuthenticationFlowError error, String reason) {
        return new AuthenticationDecision(Verdict.REFUSE, error, reason, null, null, null);
    }

    private static AuthenticationDecision accept(String secret, String secretId) {
        return new AuthenticationDecision(Verdict.ACCEPT, null, null, null, secret, secretId);
    }
}

package org.servicetokens.keycloak.authenticator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.keycloak.authentication.AuthenticationFlowError.CLIENT_DISABLED;
import static org.keycloak.authentication.AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.keycloak.authentication.AuthenticationFlowError;
import org.servicetokens.keycloak.authenticator.AuthenticationDecision.TokenState;
import org.servicetokens.keycloak.authenticator.AuthenticationDecision.Verdict;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * Every outcome of the authenticator, one row each: what was presented, the token as stored, and what follows
 * (pass, accept with which secret, or refuse with which event error and reason). Rows are named, never printed
 * with their secrets.
 */
class AuthenticationDecisionTest {

    private static final String CURRENT = TokenSecrets.generate();
    private static final String PREVIOUS = TokenSecrets.generate();
    private static final String OTHER = TokenSecrets.generate();
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant AHEAD = NOW.plusSeconds(1);
    private static final Instant PAST = NOW.minus(Duration.ofDays(1));

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(String row, ClientCredentials presented, TokenState stored, AuthenticationDecision expected) {
        assertEquals(expected, AuthenticationDecision.decide(presented, stored, NOW));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // Not ours: the authenticator steps aside and the client's own authenticator answers.
                row("no client ID", basic(null, CURRENT), token(), pass()),
                row("empty client ID", basic("", CURRENT), token(), pass()),
                row("client ID over 255 characters", basic("x".repeat(256), CURRENT), token(), pass()),
                row("client ID of 255 characters", basic("x".repeat(255), CURRENT), token(), accepted("current", CURRENT, 0)),
                row("not a service token", basic("bot", CURRENT), null, pass()),
                // How the credentials were sent, before anything about the token.
                row("ambiguous credentials", problem(ClientCredentials.AMBIGUOUS), token(), refused("ambiguous_credentials")),
                row("malformed credentials", problem(ClientCredentials.MALFORMED), token(), refused("malformed_credentials")),
                row("malformed credentials of a disabled token", problem(ClientCredentials.MALFORMED), token().disabled(),
                        refused("malformed_credentials")),
                // The token's state, before its secret.
                row("disabled", basic("bot", CURRENT), token().disabled(), refused(CLIENT_DISABLED, "disabled", null)),
                row("disabled and broken", basic("bot", CURRENT), token().disabled().broken("service_account_missing"),
                        refused(CLIENT_DISABLED, "disabled", null)),
                row("broken: one problem", basic("bot", CURRENT), token().broken("authenticator_changed"),
                        refused(INVALID_CLIENT_CREDENTIALS, "authenticator_changed", "authenticator_changed")),
                row("broken: every problem listed, the first is the reason", basic("bot", CURRENT),
                        token().broken("service_account_missing", "flows_enabled", "expiry_unreadable"),
                        refused(INVALID_CLIENT_CREDENTIALS, "service_account_missing",
                                "service_account_missing,flows_enabled,expiry_unreadable")),
                row("broken, with a wrong secret", basic("bot", OTHER), token().broken("secret_hash_unreadable"),
                        refused(INVALID_CLIENT_CREDENTIALS, "secret_hash_unreadable", "secret_hash_unreadable")),
                // The secret.
                row("missing secret", basic("bot", null), token(), refused("missing_secret")),
                row("empty secret", basic("bot", ""), token(), refused("malformed_secret")),
                row("secret not of the kcst_ shape", basic("bot", "hunter2"), token(), refused("malformed_secret")),
                row("secret with a wrong checksum", basic("bot", wrongChecksum(CURRENT)), token(), refused("malformed_secret")),
                row("wrong secret", basic("bot", OTHER), token(), refused("wrong_secret")),
                row("current secret, never expires", basic("bot", CURRENT), token(), accepted("current", CURRENT, 0)),
                row("current secret, by client_secret_post", post("bot", CURRENT), token(), accepted("current", CURRENT, 0)),
                row("current secret, expiry ahead", basic("bot", CURRENT), token().expiresAt(AHEAD), accepted("current", CURRENT, 0)),
                row("current secret, expiry now", basic("bot", CURRENT), token().expiresAt(NOW), refused("expired")),
                row("current secret, expired", basic("bot", CURRENT), token().expiresAt(PAST), refused("expired")),
                row("current secret in a later generation", basic("bot", CURRENT), token().generation(3),
                        accepted("current", CURRENT, 3)),
                row("current secret while a previous one is in grace", basic("bot", CURRENT), token().previous(AHEAD),
                        accepted("current", CURRENT, 0)),
                row("previous secret within its grace", basic("bot", PREVIOUS), token().previous(AHEAD),
                        accepted("previous", PREVIOUS, 0)),
                row("previous secret within its grace, in a later generation", basic("bot", PREVIOUS),
                        token().previous(AHEAD).generation(2), accepted("previous", PREVIOUS, 2)),
                row("previous secret at its grace end", basic("bot", PREVIOUS), token().previous(NOW),
                        refused("previous_secret_expired")),
                row("previous secret after its grace end", basic("bot", PREVIOUS), token().previous(PAST),
                        refused("previous_secret_expired")),
                row("previous secret without a grace end", basic("bot", PREVIOUS), token().previous(null),
                        refused("previous_secret_expired")),
                row("previous secret within its grace, token expired", basic("bot", PREVIOUS),
                        token().previous(AHEAD).expiresAt(PAST), refused("expired")),
                row("previous secret after its grace end, token expired", basic("bot", PREVIOUS),
                        token().previous(PAST).expiresAt(PAST), refused("previous_secret_expired")),
                row("a previous secret when none is stored", basic("bot", PREVIOUS), token(), refused("wrong_secret")));
    }

    private static Arguments row(String name, ClientCredentials presented, Stored stored, AuthenticationDecision expected) {
        return Arguments.of(name, presented, stored == null ? null : stored.state(), expected);
    }

    private static ClientCredentials basic(String clientId, String secret) {
        return new ClientCredentials(clientId, secret, ClientCredentials.BASIC, null);
    }

    private static ClientCredentials post(String clientId, String secret) {
        return new ClientCredentials(clientId, secret, ClientCredentials.POST, null);
    }

    private static ClientCredentials problem(String problem) {
        return new ClientCredentials("bot", CURRENT, ClientCredentials.BASIC, problem);
    }

    /** The same secret with its last checksum character changed: the right shape, a checksum that does not match. */
    private static String wrongChecksum(String secret) {
        char last = secret.charAt(secret.length() - 1);
        return secret.substring(0, secret.length() - 1) + (last == 'a' ? 'b' : 'a');
    }

    private static AuthenticationDecision pass() {
        return new AuthenticationDecision(Verdict.PASS, null, null, null, null, null);
    }

    private static AuthenticationDecision accepted(String which, String secret, long generation) {
        return new AuthenticationDecision(Verdict.ACCEPT, null, null, null, which,
                TokenSecrets.secretId(TokenSecrets.hash(secret), generation));
    }

    private static AuthenticationDecision refused(String reason) {
        return refused(INVALID_CLIENT_CREDENTIALS, reason, null);
    }

    private static AuthenticationDecision refused(AuthenticationFlowError error, String reason, String problems) {
        return new AuthenticationDecision(Verdict.REFUSE, error, reason, problems, null, null);
    }

    /** An enabled, healthy token whose current secret is {@link #CURRENT}, never expiring; each call returns a changed copy. */
    private static Stored token() {
        return new Stored(true, List.of(), null, false, null, 0);
    }

    private record Stored(boolean enabled, List<String> problems, Instant expiresAt, boolean hasPrevious,
                          Instant previousExpiresAt, long generation) {

        Stored disabled() {
            return new Stored(false, problems, expiresAt, hasPrevious, previousExpiresAt, generation);
        }

        Stored broken(String... reasons) {
            return new Stored(enabled, List.of(reasons), expiresAt, hasPrevious, previousExpiresAt, generation);
        }

        Stored expiresAt(Instant at) {
            return new Stored(enabled, problems, at, hasPrevious, previousExpiresAt, generation);
        }

        /** {@link #PREVIOUS} as the previous secret, its grace ending at {@code graceEnd}. */
        Stored previous(Instant graceEnd) {
            return new Stored(enabled, problems, expiresAt, true, graceEnd, generation);
        }

        Stored generation(long next) {
            return new Stored(enabled, problems, expiresAt, hasPrevious, previousExpiresAt, next);
        }

        TokenState state() {
            return new TokenState(enabled, problems, TokenSecrets.hash(CURRENT), expiresAt,
                    hasPrevious ? TokenSecrets.hash(PREVIOUS) : null, previousExpiresAt, generation);
        }
    }
}

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
import org.servicetokens.keycloak.model.AllowedNetworks;
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

    /** The client address of every row that does not name one. */
    private static final String FROM = "192.0.2.10";

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(
            String row, ClientCredentials presented, String from, TokenState stored, AuthenticationDecision expected) {
        assertEquals(expected, AuthenticationDecision.decide(presented, from, stored, NOW));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // Not ours: the authenticator steps aside and the client's own authenticator answers.
                row("no client ID", basic(null, CURRENT), token(), pass()),
                row("empty client ID", basic("", CURRENT), token(), pass()),
                row("client ID over 255 characters", basic("x".repeat(256), CURRENT), token(), pass()),
                row(
                        "client ID of 255 characters",
                        basic("x".repeat(255), CURRENT),
                        token(),
                        accepted("current", CURRENT, 0)),
                row("not a service token", basic("bot", CURRENT), null, pass()),
                // How the credentials were sent, before anything about the token.
                row(
                        "ambiguous credentials",
                        problem(ClientCredentials.AMBIGUOUS),
                        token(),
                        refused("ambiguous_credentials")),
                row(
                        "malformed credentials",
                        problem(ClientCredentials.MALFORMED),
                        token(),
                        refused("malformed_credentials")),
                row(
                        "malformed credentials of a disabled token",
                        problem(ClientCredentials.MALFORMED),
                        token().disabled(),
                        refused("malformed_credentials")),
                // The token's state, before its secret.
                row("disabled", basic("bot", CURRENT), token().disabled(), refused(CLIENT_DISABLED, "disabled", null)),
                row(
                        "disabled and broken",
                        basic("bot", CURRENT),
                        token().disabled().broken("service_account_missing"),
                        refused(CLIENT_DISABLED, "disabled", null)),
                row(
                        "broken: one problem",
                        basic("bot", CURRENT),
                        token().broken("authenticator_changed"),
                        refused(INVALID_CLIENT_CREDENTIALS, "authenticator_changed", "authenticator_changed")),
                row(
                        "broken: every problem listed, the first is the reason",
                        basic("bot", CURRENT),
                        token().broken("service_account_missing", "flows_enabled", "expiry_unreadable"),
                        refused(
                                INVALID_CLIENT_CREDENTIALS,
                                "service_account_missing",
                                "service_account_missing,flows_enabled,expiry_unreadable")),
                row(
                        "broken, with a wrong secret",
                        basic("bot", OTHER),
                        token().broken("secret_hash_unreadable"),
                        refused(INVALID_CLIENT_CREDENTIALS, "secret_hash_unreadable", "secret_hash_unreadable")),
                // The secret.
                row("missing secret", basic("bot", null), token(), refused("missing_secret")),
                row("empty secret", basic("bot", ""), token(), refused("malformed_secret")),
                row("secret not of the kcst_ shape", basic("bot", "hunter2"), token(), refused("malformed_secret")),
                row(
                        "secret with a wrong checksum",
                        basic("bot", wrongChecksum(CURRENT)),
                        token(),
                        refused("malformed_secret")),
                row("wrong secret", basic("bot", OTHER), token(), refused("wrong_secret")),
                row("current secret, never expires", basic("bot", CURRENT), token(), accepted("current", CURRENT, 0)),
                row(
                        "current secret, by client_secret_post",
                        post("bot", CURRENT),
                        token(),
                        accepted("current", CURRENT, 0)),
                row(
                        "current secret, expiry ahead",
                        basic("bot", CURRENT),
                        token().expiresAt(AHEAD),
                        accepted("current", CURRENT, 0)),
                row("current secret, expiry now", basic("bot", CURRENT), token().expiresAt(NOW), refused("expired")),
                row("current secret, expired", basic("bot", CURRENT), token().expiresAt(PAST), refused("expired")),
                row(
                        "current secret in a later generation",
                        basic("bot", CURRENT),
                        token().generation(3),
                        accepted("current", CURRENT, 3)),
                row(
                        "current secret while a previous one is in grace",
                        basic("bot", CURRENT),
                        token().previous(AHEAD),
                        accepted("current", CURRENT, 0)),
                row(
                        "previous secret within its grace",
                        basic("bot", PREVIOUS),
                        token().previous(AHEAD),
                        accepted("previous", PREVIOUS, 0)),
                row(
                        "previous secret within its grace, in a later generation",
                        basic("bot", PREVIOUS),
                        token().previous(AHEAD).generation(2),
                        accepted("previous", PREVIOUS, 2)),
                row(
                        "previous secret at its grace end",
                        basic("bot", PREVIOUS),
                        token().previous(NOW),
                        refused("previous_secret_expired")),
                row(
                        "previous secret after its grace end",
                        basic("bot", PREVIOUS),
                        token().previous(PAST),
                        refused("previous_secret_expired")),
                row(
                        "previous secret without a grace end",
                        basic("bot", PREVIOUS),
                        token().previous(null),
                        refused("previous_secret_expired")),
                row(
                        "previous secret within its grace, token expired",
                        basic("bot", PREVIOUS),
                        token().previous(AHEAD).expiresAt(PAST),
                        refused("expired")),
                row(
                        "previous secret after its grace end, token expired",
                        basic("bot", PREVIOUS),
                        token().previous(PAST).expiresAt(PAST),
                        refused("previous_secret_expired")),
                row("a previous secret when none is stored", basic("bot", PREVIOUS), token(), refused("wrong_secret")),
                // Allowed networks: checked once the secret would be accepted.
                row(
                        "no networks: any address",
                        basic("bot", CURRENT),
                        "203.0.113.7",
                        token(),
                        accepted("current", CURRENT, 0)),
                row(
                        "no networks: unknown address",
                        basic("bot", CURRENT),
                        null,
                        token(),
                        accepted("current", CURRENT, 0)),
                row(
                        "inside its one range",
                        basic("bot", CURRENT),
                        "127.0.0.2",
                        token().networks("127.0.0.2/32"),
                        accepted("current", CURRENT, 0)),
                row(
                        "outside its one range",
                        basic("bot", CURRENT),
                        "127.0.0.1",
                        token().networks("127.0.0.2/32"),
                        refused("address_not_allowed")),
                row(
                        "inside the second of two ranges",
                        basic("bot", CURRENT),
                        "10.9.8.7",
                        token().networks("192.168.0.0/16", "10.0.0.0/8"),
                        accepted("current", CURRENT, 0)),
                row(
                        "IPv6 address inside an IPv6 range",
                        basic("bot", CURRENT),
                        "2001:db8:0:0:0:0:0:1",
                        token().networks("2001:db8::/32"),
                        accepted("current", CURRENT, 0)),
                row(
                        "IPv6 address outside an IPv6 range",
                        basic("bot", CURRENT),
                        "2001:db9::1",
                        token().networks("2001:db8::/32"),
                        refused("address_not_allowed")),
                row(
                        "IPv4 address against only IPv6 ranges",
                        basic("bot", CURRENT),
                        "10.0.0.1",
                        token().networks("::/0"),
                        refused("address_not_allowed")),
                row(
                        "IPv4-mapped IPv6 address inside an IPv4 range",
                        basic("bot", CURRENT),
                        "::ffff:10.1.2.3",
                        token().networks("10.0.0.0/8"),
                        accepted("current", CURRENT, 0)),
                row(
                        "loopback ::1 inside ::1/128",
                        basic("bot", CURRENT),
                        "0:0:0:0:0:0:0:1",
                        token().networks("::1/128"),
                        accepted("current", CURRENT, 0)),
                row(
                        "unknown address, token with networks",
                        basic("bot", CURRENT),
                        null,
                        token().networks("0.0.0.0/0"),
                        refused("address_not_allowed")),
                row(
                        "an address that does not parse",
                        basic("bot", CURRENT),
                        "localhost",
                        token().networks("0.0.0.0/0"),
                        refused("address_not_allowed")),
                row(
                        "previous secret in grace, outside the range",
                        basic("bot", PREVIOUS),
                        "127.0.0.1",
                        token().previous(AHEAD).networks("127.0.0.2/32"),
                        refused("address_not_allowed")),
                row(
                        "previous secret in grace, inside the range",
                        basic("bot", PREVIOUS),
                        "127.0.0.2",
                        token().previous(AHEAD).networks("127.0.0.2/32"),
                        accepted("previous", PREVIOUS, 0)),
                row(
                        "wrong secret from outside: the secret's reason",
                        basic("bot", OTHER),
                        "127.0.0.1",
                        token().networks("127.0.0.2/32"),
                        refused("wrong_secret")),
                row(
                        "expired, from outside: the expiry's reason",
                        basic("bot", CURRENT),
                        "127.0.0.1",
                        token().networks("127.0.0.2/32").expiresAt(PAST),
                        refused("expired")),
                row(
                        "unreadable networks allow nothing",
                        basic("bot", CURRENT),
                        "127.0.0.1",
                        token().networks(AllowedNetworks.NOTHING),
                        refused("address_not_allowed")),
                row(
                        "disabled, from outside: disabled",
                        basic("bot", CURRENT),
                        "127.0.0.1",
                        token().networks("127.0.0.2/32").disabled(),
                        refused(CLIENT_DISABLED, "disabled", null)));
    }

    private static Arguments row(
            String name, ClientCredentials presented, Stored stored, AuthenticationDecision expected) {
        return row(name, presented, FROM, stored, expected);
    }

    private static Arguments row(
            String name, ClientCredentials presented, String from, Stored stored, AuthenticationDecision expected) {
        return Arguments.of(name, presented, from, stored == null ? null : stored.state(), expected);
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
        return new AuthenticationDecision(
                Verdict.ACCEPT, null, null, null, which, TokenSecrets.secretId(TokenSecrets.hash(secret), generation));
    }

    private static AuthenticationDecision refused(String reason) {
        return refused(INVALID_CLIENT_CREDENTIALS, reason, null);
    }

    private static AuthenticationDecision refused(AuthenticationFlowError error, String reason, String problems) {
        return new AuthenticationDecision(Verdict.REFUSE, error, reason, problems, null, null);
    }

    /** An enabled, healthy token whose current secret is {@link #CURRENT}, never expiring; each call returns a changed copy. */
    private static Stored token() {
        return new Stored(true, List.of(), null, false, null, 0, AllowedNetworks.ANY);
    }

    private record Stored(
            boolean enabled,
            List<String> problems,
            Instant expiresAt,
            boolean hasPrevious,
            Instant previousExpiresAt,
            long generation,
            AllowedNetworks networks) {

        Stored networks(String... ranges) {
            return networks(AllowedNetworks.parse(List.of(ranges)));
        }

        Stored networks(AllowedNetworks allowed) {
            return new Stored(enabled, problems, expiresAt, hasPrevious, previousExpiresAt, generation, allowed);
        }

        Stored disabled() {
            return new Stored(false, problems, expiresAt, hasPrevious, previousExpiresAt, generation, networks);
        }

        Stored broken(String... reasons) {
            return new Stored(
                    enabled, List.of(reasons), expiresAt, hasPrevious, previousExpiresAt, generation, networks);
        }

        Stored expiresAt(Instant at) {
            return new Stored(enabled, problems, at, hasPrevious, previousExpiresAt, generation, networks);
        }

        /** {@link #PREVIOUS} as the previous secret, its grace ending at {@code graceEnd}. */
        Stored previous(Instant graceEnd) {
            return new Stored(enabled, problems, expiresAt, true, graceEnd, generation, networks);
        }

        Stored generation(long next) {
            return new Stored(enabled, problems, expiresAt, hasPrevious, previousExpiresAt, next, networks);
        }

        TokenState state() {
            return new TokenState(
                    enabled,
                    problems,
                    TokenSecrets.hash(CURRENT),
                    expiresAt,
                    hasPrevious ? TokenSecrets.hash(PREVIOUS) : null,
                    previousExpiresAt,
                    generation,
                    networks);
        }
    }
}

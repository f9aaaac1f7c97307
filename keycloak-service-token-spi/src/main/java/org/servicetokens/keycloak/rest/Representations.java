package org.servicetokens.keycloak.rest;

import java.time.Instant;
import java.util.List;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.model.InactivityRule;
import org.servicetokens.keycloak.model.Problem;
import org.servicetokens.keycloak.model.SecretUse;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenSettings;
import org.servicetokens.keycloak.model.TokenHealth;

/** The API's JSON shapes. Only {@link CreatedToken} and {@link RotatedSecret} carry a secret. */
final class Representations {

    private Representations() {}

    record CreateRequest(
            String name,
            String description,
            String duration,
            List<String> applications,
            List<String> networks,
            List<String> owners,
            Integer inactivityDays,
            String inactivityAction) {}

    record UpdateRequest(
            String name,
            String description,
            Boolean enabled,
            List<String> applications,
            List<String> networks,
            List<String> owners,
            Integer inactivityDays,
            String inactivityAction) {}

    record RotateRequest(String gracePeriod) {}

    record ExtendRequest(String duration) {}

    record PreviousSecretRequest(String expiresAt) {}

    record SettingsRequest(
            String defaultDuration,
            String maxDuration,
            List<Integer> expiryWarningDays,
            Integer inactivityDays,
            String inactivityAction,
            List<String> notifyEmails) {}

    /**
     * A token as the API shows it. {@code status} is what the authenticator would do now: {@code disabled},
     * {@code broken} (then {@code problems} says why, each with the call that fixes it, and {@code repairable}
     * whether {@code POST /{id}/repair} fixes them all), {@code expired} or {@code active}. {@code applications}
     * are the current client IDs of the allowed applications. {@code secretUse} and {@code previousSecretUse} are
     * the use of the current secret and of the previous one (during a grace period), each a {@link UseView} or null
     * when not used since it was issued (since the rotation); {@code networks} the allowed CIDR ranges in normal form,
     * empty when the token may be used from anywhere; {@code owners} the addresses that get its expiry warnings and
     * inactivity notices besides the realm's; {@code inactivityDays}/{@code inactivityAction} the token's own
     * inactivity rule, both null when the realm's applies.
     */
    record TokenView(
            String id,
            String clientId,
            String name,
            String description,
            boolean enabled,
            String status,
            List<Problem> problems,
            boolean repairable,
            String createdAt,
            String createdBy,
            String expiresAt,
            String lastUsedAt,
            String previousSecretExpiresAt,
            List<String> applications,
            UseView secretUse,
            UseView previousSecretUse,
            List<String> networks,
            List<String> owners,
            Integer inactivityDays,
            String inactivityAction) {

        static TokenView of(KeycloakSession session, RealmModel realm, ServiceToken token, Instant now) {
            List<Problem> problems = TokenHealth.problems(session, token);
            boolean repairable = !problems.isEmpty() && problems.stream().allMatch(p -> Problem.REPAIR.equals(p.fix()));
            return new TokenView(
                    token.id(),
                    token.clientId(),
                    token.name(),
                    token.description(),
                    token.enabled(),
                    TokenHealth.status(session, token, now).name(),
                    problems,
                    repairable,
                    text(token.createdAt().orElse(null)),
                    token.createdBy(),
                    text(token.expiresAt().orElse(null)),
                    text(LastUsedTracker.instance().lastUsed(realm, token).orElse(null)),
                    token.previousSecretValid(now)
                            ? text(token.previousSecretExpiresAt().orElse(null))
                            : null,
                    token.applications(),
                    UseView.of(
                            LastUsedTracker.instance().secretUse(realm, token).orElse(null)),
                    token.previousSecretValid(now)
                            ? UseView.of(LastUsedTracker.instance()
                                    .previousSecretUse(realm, token)
                                    .orElse(null))
                            : null,
                    token.networks().texts(),
                    token.owners(),
                    token.inactivityRule().map(InactivityRule::days).orElse(null),
                    token.inactivityRule().map(rule -> rule.action().name()).orElse(null));
        }
    }

    /**
     * The use of one secret: {@code lastUsedAt} (ISO-8601 UTC), {@code address} (the client address Keycloak resolved
     * for that request), {@code userAgent} (cleaned, at most 200 characters; null when none was sent) and an
     * approximate {@code count} of token requests (each node adds its count at most once a minute).
     */
    record UseView(String lastUsedAt, String address, String userAgent, long count) {

        static UseView of(SecretUse use) {
            return use == null ? null : new UseView(text(use.at()), use.address(), use.userAgent(), use.count());
        }
    }

    record CreatedToken(String id, String clientId, String clientSecret, String expiresAt) {
        @Override
        public String toString() {
            return "CreatedToken[id=" + id + ", clientId=" + clientId + "]";
        }
    }

    record RotatedSecret(String clientId, String clientSecret, String previousSecretExpiresAt) {
        @Override
        public String toString() {
            return "RotatedSecret[clientId=" + clientId + "]";
        }
    }

    /** {@code unreadable}: the keys whose stored value could not be read (shown with their defaults until saved). */
    record SettingsView(
            String defaultDuration,
            String maxDuration,
            List<Integer> expiryWarningDays,
            int inactivityDays,
            String inactivityAction,
            List<String> notifyEmails,
            List<String> unreadable) {

        static SettingsView of(ServiceTokenSettings settings, List<String> unreadable) {
            return new SettingsView(
                    settings.defaultDuration().toString(),
                    settings.maxDuration().toString(),
                    settings.expiryWarningDays(),
                    settings.inactivityDays(),
                    settings.inactivityAction().name(),
                    settings.notifyEmails(),
                    unreadable);
        }
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

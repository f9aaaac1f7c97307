package org.servicetokens.keycloak.rest;

import java.time.Instant;
import java.util.List;

import org.keycloak.models.RealmModel;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenSettings;

/** The API's JSON shapes (DESIGN §3). Only {@link CreatedToken} and {@link RotatedSecret} carry a secret. */
final class Representations {

    private Representations() {
    }

    record CreateRequest(String name, String description, String duration, List<String> applications) {
    }

    record UpdateRequest(String name, String description, Boolean enabled, List<String> applications) {
    }

    record RotateRequest(String gracePeriod) {
    }

    record ExtendRequest(String duration) {
    }

    record PreviousSecretRequest(String expiresAt) {
    }

    record SettingsRequest(String defaultDuration, String maxDuration, List<Integer> expiryWarningDays,
                           Integer inactivityDays, String inactivityAction, List<String> notifyEmails) {
    }

    record TokenView(String id, String clientId, String name, String description, boolean enabled, String status,
                     String createdAt, String createdBy, String expiresAt, String lastUsedAt,
                     String previousSecretExpiresAt, List<String> applications) {

        static TokenView of(RealmModel realm, ServiceToken token, Instant now) {
            return new TokenView(token.id(), token.clientId(), token.name(), token.description(), token.enabled(),
                    token.status(now).name(),
                    text(token.createdAt().orElse(null)), token.createdBy(), text(token.expiresAt().orElse(null)),
                    text(LastUsedTracker.instance().lastUsed(realm, token).orElse(null)),
                    token.previousSecretValid(now) ? text(token.previousSecretExpiresAt().orElse(null)) : null,
                    token.applications());
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

    record SettingsView(String defaultDuration, String maxDuration, List<Integer> expiryWarningDays,
                        int inactivityDays, String inactivityAction, List<String> notifyEmails) {

        static SettingsView of(ServiceTokenSettings settings) {
            return new SettingsView(settings.defaultDuration().toString(), settings.maxDuration().toString(),
                    settings.expiryWarningDays(), settings.inactivityDays(), settings.inactivityAction().name(),
                    settings.notifyEmails());
        }
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

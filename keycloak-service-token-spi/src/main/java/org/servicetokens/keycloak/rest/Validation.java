package org.servicetokens.keycloak.rest;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.servicetokens.keycloak.model.AllowedNetworks;
import org.servicetokens.keycloak.model.InactivityRule;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenSettings;
import org.servicetokens.keycloak.model.TokenDuration;

/** Checks admin input; every failure is a 400 whose message names the field and the rule. */
final class Validation {

    static final int MAX_NAME = 100;
    static final int MAX_DESCRIPTION = 255;
    static final int MAX_APPLICATIONS = 50;
    static final Duration MAX_GRACE = Duration.ofDays(30);
    static final int MAX_EMAILS = 20;
    static final String EARLIEST = "1970-01-01T00:00:00Z";
    // Deliberately plain: a mailbox we can hand to the SMTP server, not a full RFC 5322 parser.
    private static final Pattern EMAIL =
            Pattern.compile("[^@\\s,<>\"]{1,64}@[^@\\s,<>\"]{1,255}\\.[^@\\s,<>\".]{1,63}");

    private Validation() {}

    static String name(String name, boolean required) {
        if (name == null) {
            if (required) {
                throw ApiError.badRequest("'name' is required");
            }
            return null;
        }
        String trimmed = TextRules.strip(name);
        if (trimmed.isEmpty()) {
            throw ApiError.badRequest("'name' must not be empty");
        }
        if (trimmed.length() > MAX_NAME) {
            throw ApiError.badRequest("'name' is at most " + MAX_NAME + " characters");
        }
        TextRules.check("name", trimmed, false);
        return trimmed;
    }

    static String description(String description) {
        if (description == null) {
            return null;
        }
        if (description.length() > MAX_DESCRIPTION) {
            throw ApiError.badRequest("'description' is at most " + MAX_DESCRIPTION + " characters");
        }
        String trimmed = TextRules.strip(description);
        TextRules.check("description", trimmed, true);
        return trimmed;
    }

    /** A token lifetime: the realm default when absent, else at most the realm maximum (and at most 100 years). */
    static TokenDuration duration(String field, String text, ServiceTokenSettings settings, Instant now) {
        TokenDuration duration;
        try {
            duration = text == null ? settings.defaultDuration() : TokenDuration.parse(text);
        } catch (IllegalArgumentException invalid) {
            throw ApiError.badRequest("'" + field + "': " + invalid.getMessage());
        }
        if (duration.exceeds(settings.maxDuration(), now)) {
            throw ApiError.badRequest("'" + field + "' " + duration + " is longer than this realm's maximum of "
                    + settings.maxDuration());
        }
        return duration;
    }

    /** {@code PT0S} (the default) to {@code P30D}, a fixed length: days, weeks, hours, minutes or seconds. */
    static Duration gracePeriod(String text) {
        if (text == null) {
            return Duration.ZERO;
        }
        TokenDuration grace;
        try {
            grace = TokenDuration.parse(text, true);
        } catch (IllegalArgumentException invalid) {
            throw ApiError.badRequest("'gracePeriod' (PT0S to P30D): " + invalid.getMessage());
        }
        Duration length = grace.fixedLength()
                .orElseThrow(
                        () -> ApiError.badRequest(
                                "'gracePeriod' is from PT0S to P30D in days, weeks, hours, minutes or seconds (not 'never', years or months)"));
        if (length.compareTo(MAX_GRACE) > 0) {
            throw ApiError.badRequest("'gracePeriod' is at most P30D");
        }
        return length;
    }

    /**
     * An ISO-8601 UTC time from {@value #EARLIEST} to {@code latest} (inclusive); the message names both ends.
     * Numbers (epoch seconds) are refused by the JSON layer before this: the field is a string.
     */
    static Instant timestamp(String field, String text, Instant latest, String latestText) {
        if (text == null) {
            throw ApiError.badRequest("'" + field + "' is required");
        }
        Instant parsed;
        try {
            parsed = text.length() > 64 ? null : Instant.parse(text.strip());
        } catch (DateTimeParseException invalid) {
            parsed = null;
        }
        if (parsed == null) {
            throw ApiError.badRequest("'" + field + "' must be an ISO-8601 UTC time such as 2030-01-31T12:00:00Z");
        }
        if (parsed.isBefore(Instant.parse(EARLIEST)) || parsed.isAfter(latest)) {
            throw ApiError.badRequest("'" + field + "' must be from " + EARLIEST + " to " + latestText);
        }
        return parsed;
    }

    /** Client IDs in, the clients' internal ids out (what is stored): each an existing client that is not a token. */
    static List<String> applications(KeycloakSession session, RealmModel realm, List<String> applications) {
        if (applications == null) {
            return null;
        }
        if (applications.size() > MAX_APPLICATIONS) {
            throw ApiError.badRequest("'applications' lists at most " + MAX_APPLICATIONS + " client IDs");
        }
        Set<String> seen = new HashSet<>();
        for (String clientId : applications) {
            if (clientId == null || clientId.isBlank()) {
                throw ApiError.badRequest("'applications' must not contain empty client IDs");
            }
            if (!seen.add(clientId)) {
                throw ApiError.badRequest("'applications' lists '" + printable(clientId) + "' twice");
            }
            ClientModel application =
                    clientId.length() > 255 ? null : session.clients().getClientByClientId(realm, clientId);
            if (application == null) {
                throw ApiError.badRequest("'applications': no client '" + printable(clientId) + "' in this realm");
            }
            if (ServiceToken.isServiceToken(application)) {
                throw ApiError.badRequest(
                        "'applications': '" + printable(clientId) + "' is a service token, not an application");
            }
        }
        return applications.stream()
                .map(clientId ->
                        session.clients().getClientByClientId(realm, clientId).getId())
                .toList();
    }

    /** CIDR ranges in, their strict parse out ({@link AllowedNetworks#parse}); null (keep) when absent, [] lifts the limit. */
    static AllowedNetworks networks(List<String> networks) {
        if (networks == null) {
            return null;
        }
        try {
            return AllowedNetworks.parse(networks);
        } catch (IllegalArgumentException malformed) {
            throw ApiError.badRequest(malformed.getMessage());
        }
    }

    static ServiceTokenSettings settings(Representations.SettingsRequest request, ServiceTokenSettings current) {
        TokenDuration defaultDuration =
                parseDuration("defaultDuration", request.defaultDuration(), current.defaultDuration());
        TokenDuration maxDuration = parseDuration("maxDuration", request.maxDuration(), current.maxDuration());
        if (defaultDuration.exceeds(maxDuration, Instant.now())) {
            throw ApiError.badRequest("'defaultDuration' must not be longer than 'maxDuration'");
        }
        List<Integer> warningDays = current.expiryWarningDays();
        if (request.expiryWarningDays() != null) {
            if (request.expiryWarningDays().size() > 10) {
                throw ApiError.badRequest("'expiryWarningDays' has at most 10 entries");
            }
            if (request.expiryWarningDays().stream().anyMatch(d -> d == null || d < 1 || d > 365)) {
                throw ApiError.badRequest("'expiryWarningDays' entries are whole days from 1 to 365");
            }
            warningDays = request.expiryWarningDays().stream()
                    .distinct()
                    .sorted((a, b) -> b - a)
                    .toList();
        }
        int inactivityDays = current.inactivityDays();
        if (request.inactivityDays() != null) {
            if (request.inactivityDays() < 0 || request.inactivityDays() > 3650) {
                throw ApiError.badRequest("'inactivityDays' is from 0 (off) to 3650");
            }
            inactivityDays = request.inactivityDays();
        }
        ServiceTokenSettings.InactivityAction action = current.inactivityAction();
        if (request.inactivityAction() != null) {
            try {
                action = ServiceTokenSettings.InactivityAction.parse(request.inactivityAction());
            } catch (IllegalArgumentException invalid) {
                throw ApiError.badRequest("'inactivityAction' must be one of none, disable, delete");
            }
        }
        List<String> emails = current.notifyEmails();
        if (request.notifyEmails() != null) {
            if (request.notifyEmails().size() > MAX_EMAILS) {
                throw ApiError.badRequest("'notifyEmails' has at most " + MAX_EMAILS + " addresses");
            }
            emails = emails("notifyEmails", request.notifyEmails());
        }
        return new ServiceTokenSettings(defaultDuration, maxDuration, warningDays, inactivityDays, action, emails);
    }

    /**
     * A token's owners: at most {@value #MAX_EMAILS} e-mail addresses, each a plain {@code local@domain.tld} of at most
     * 254 characters; duplicates dropped. Null (keep) when absent; [] removes them.
     */
    static List<String> owners(List<String> owners) {
        return owners == null ? null : emails("owners", owners);
    }

    private static List<String> emails(String field, List<String> emails) {
        if (emails.size() > MAX_EMAILS) {
            throw ApiError.badRequest("'" + field + "' has at most " + MAX_EMAILS + " addresses");
        }
        for (String email : emails) {
            if (email == null
                    || email.length() > 254
                    || !EMAIL.matcher(email).matches()
                    || TextRules.firstRefused(email, false) >= 0) {
                throw ApiError.badRequest(
                        "'" + field + "': '" + printable(String.valueOf(email)) + "' is not an email address");
            }
        }
        return emails.stream().distinct().toList();
    }

    /**
     * A token's own inactivity rule: {@code inactivityAction} {@code none}, {@code disable} or {@code delete} with
     * {@code inactivityDays} 1 to 3650 (days may be left out for {@code none}); {@code inactivityAction: "realm"}
     * (without days) returns the token to the realm's rule.
     *
     * @return empty to keep the token's rule as it is; an empty inner Optional for "the realm's rule"
     */
    static java.util.Optional<java.util.Optional<InactivityRule>> inactivityRule(Integer days, String action) {
        if (days == null && action == null) {
            return java.util.Optional.empty();
        }
        if (action == null) {
            throw ApiError.badRequest(
                    "'inactivityDays' needs 'inactivityAction' (none, disable, delete, or realm for the realm's rule)");
        }
        if ("realm".equals(action.strip().toLowerCase(java.util.Locale.ROOT))) {
            if (days != null) {
                throw ApiError.badRequest("'inactivityAction' realm (the realm's rule) takes no 'inactivityDays'");
            }
            return java.util.Optional.of(java.util.Optional.empty());
        }
        ServiceTokenSettings.InactivityAction parsed;
        try {
            parsed = ServiceTokenSettings.InactivityAction.parse(action);
        } catch (IllegalArgumentException invalid) {
            throw ApiError.badRequest("'inactivityAction' must be one of none, disable, delete, realm");
        }
        if (parsed == ServiceTokenSettings.InactivityAction.none) {
            if (days != null && (days < 0 || days > 3650)) {
                throw ApiError.badRequest("'inactivityDays' is from 1 to 3650");
            }
            return java.util.Optional.of(java.util.Optional.of(new InactivityRule(days == null ? 0 : days, parsed)));
        }
        if (days == null || days < 1 || days > 3650) {
            throw ApiError.badRequest("'inactivityDays' from 1 to 3650 is required with 'inactivityAction' " + parsed);
        }
        return java.util.Optional.of(java.util.Optional.of(new InactivityRule(days, parsed)));
    }

    private static TokenDuration parseDuration(String field, String text, TokenDuration fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return TokenDuration.parse(text);
        } catch (IllegalArgumentException invalid) {
            throw ApiError.badRequest("'" + field + "': " + invalid.getMessage());
        }
    }

    private static String printable(String value) {
        return TextRules.printable(value);
    }
}

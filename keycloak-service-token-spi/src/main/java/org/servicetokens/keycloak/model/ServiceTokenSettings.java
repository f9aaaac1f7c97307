package org.servicetokens.keycloak.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.keycloak.models.RealmModel;

/**
 * A realm's service-token policy, kept as realm attributes so it is exported and cached with the realm.
 * Construct through {@link #read(RealmModel)}; validation of admin input lives in the REST layer.
 */
public record ServiceTokenSettings(
        TokenDuration defaultDuration,
        TokenDuration maxDuration,
        List<Integer> expiryWarningDays,
        int inactivityDays,
        InactivityAction inactivityAction,
        List<String> notifyEmails) {

    /** What the daily round does to a token unused for {@code inactivityDays}. */
    public enum InactivityAction {
        none,
        disable,
        delete;

        /** Case-insensitive; @throws IllegalArgumentException naming the allowed values */
        public static InactivityAction parse(String value) {
            try {
                return valueOf(value.trim().toLowerCase(Locale.ROOT));
            } catch (RuntimeException unknown) {
                throw new IllegalArgumentException("inactivityAction must be one of none, disable, delete");
            }
        }
    }

    /** The realm's inactivity rule. */
    public InactivityRule inactivityRule() {
        return new InactivityRule(inactivityDays, inactivityAction);
    }

    /** These settings with a token's own inactivity rule in place of the realm's. */
    public ServiceTokenSettings withInactivity(InactivityRule rule) {
        return new ServiceTokenSettings(
                defaultDuration, maxDuration, expiryWarningDays, rule.days(), rule.action(), notifyEmails);
    }

    private static final String PREFIX = "service-token.settings.";
    private static final String DEFAULT_DURATION = PREFIX + "default-duration";
    private static final String MAX_DURATION = PREFIX + "max-duration";
    private static final String WARNING_DAYS = PREFIX + "expiry-warning-days";
    private static final String INACTIVITY_DAYS = PREFIX + "inactivity-days";
    private static final String INACTIVITY_ACTION = PREFIX + "inactivity-action";
    private static final String NOTIFY_EMAILS = PREFIX + "notify-emails";

    public static final ServiceTokenSettings DEFAULTS = new ServiceTokenSettings(
            TokenDuration.parse("P365D"),
            TokenDuration.never(),
            List.of(30, 7, 1),
            0,
            InactivityAction.none,
            List.of());

    /** The realm's settings; an absent or unreadable value reads as its default (see {@link #unreadable}). */
    public static ServiceTokenSettings read(RealmModel realm) {
        return new ServiceTokenSettings(
                durationOr(realm.getAttribute(DEFAULT_DURATION), DEFAULTS.defaultDuration),
                durationOr(realm.getAttribute(MAX_DURATION), DEFAULTS.maxDuration),
                intsOr(realm.getAttribute(WARNING_DAYS), DEFAULTS.expiryWarningDays),
                intOr(realm.getAttribute(INACTIVITY_DAYS), DEFAULTS.inactivityDays),
                actionOr(realm.getAttribute(INACTIVITY_ACTION)),
                listOr(realm.getAttribute(NOTIFY_EMAILS)));
    }

    /**
     * The settings whose stored value cannot be read (by their API names). {@link #read} shows their defaults; the
     * API refuses to create or extend tokens against an unreadable maximum, and the daily round skips an
     * unreadable inactivity rule, until an admin saves the settings again.
     */
    public static List<String> unreadable(RealmModel realm) {
        java.util.ArrayList<String> keys = new java.util.ArrayList<>();
        if (!readable(realm.getAttribute(DEFAULT_DURATION), TokenDuration::parse)) {
            keys.add("defaultDuration");
        }
        if (!readable(realm.getAttribute(MAX_DURATION), TokenDuration::parse)) {
            keys.add("maxDuration");
        }
        if (!readable(realm.getAttribute(WARNING_DAYS), v -> intsOr(v, null).size())) {
            keys.add("expiryWarningDays");
        }
        if (!readable(realm.getAttribute(INACTIVITY_DAYS), v -> Integer.parseInt(v.trim()))) {
            keys.add("inactivityDays");
        }
        if (!readable(realm.getAttribute(INACTIVITY_ACTION), InactivityAction::parse)) {
            keys.add("inactivityAction");
        }
        return List.copyOf(keys);
    }

    private static boolean readable(String value, java.util.function.Function<String, ?> parser) {
        if (value == null) {
            return true;
        }
        try {
            return parser.apply(value) != null;
        } catch (RuntimeException corrupt) {
            return false;
        }
    }

    /** Stores every setting as a realm attribute ({@code service-token.settings.*}). */
    public void write(RealmModel realm) {
        realm.setAttribute(DEFAULT_DURATION, defaultDuration.toString());
        realm.setAttribute(MAX_DURATION, maxDuration.toString());
        realm.setAttribute(
                WARNING_DAYS, expiryWarningDays.stream().map(String::valueOf).collect(Collectors.joining(",")));
        realm.setAttribute(INACTIVITY_DAYS, Integer.toString(inactivityDays));
        realm.setAttribute(INACTIVITY_ACTION, inactivityAction.name());
        realm.setAttribute(NOTIFY_EMAILS, String.join(",", notifyEmails));
    }

    // Stored values were validated on write; a value someone broke by hand falls back to the default
    // instead of breaking every token operation in the realm.
    private static TokenDuration durationOr(String value, TokenDuration fallback) {
        try {
            return value == null ? fallback : TokenDuration.parse(value);
        } catch (IllegalArgumentException corrupt) {
            return fallback;
        }
    }

    private static List<Integer> intsOr(String value, List<Integer> fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Arrays.stream(value.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(Integer::parseInt)
                    .sorted((a, b) -> b - a)
                    .toList();
        } catch (NumberFormatException corrupt) {
            return fallback;
        }
    }

    private static int intOr(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException corrupt) {
            return fallback;
        }
    }

    private static InactivityAction actionOr(String value) {
        try {
            return value == null ? DEFAULTS.inactivityAction : InactivityAction.parse(value);
        } catch (IllegalArgumentException corrupt) {
            return DEFAULTS.inactivityAction;
        }
    }

    private static List<String> listOr(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}

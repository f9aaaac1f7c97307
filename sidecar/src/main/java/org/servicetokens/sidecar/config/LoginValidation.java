package org.servicetokens.sidecar.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Checks of the human-login keys ({@code login.*}, {@code sessions.*}), one message per bad key. */
final class LoginValidation {

    private static final Pattern SCOPE =
            Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+( [\\x21\\x23-\\x5B\\x5D-\\x7E]+)*");

    private LoginValidation() {}

    static void validate(SidecarConfig c, List<String> problems) {
        String scope = c.login.scope == null ? "" : c.login.scope;
        if (!SCOPE.matcher(scope).matches() || !List.of(scope.split(" ")).contains("openid")) {
            problems.add("login.scope: must be space-separated scopes including 'openid', got '" + scope + "'");
        }
        if (c.login.timeout == null
                || c.login.timeout.compareTo(Duration.ofSeconds(30)) < 0
                || c.login.timeout.compareTo(Duration.ofHours(1)) > 0) {
            problems.add("login.timeout: must be between 30s and 1h");
        }
        String after = c.login.postLogoutUrl == null ? "" : c.login.postLogoutUrl;
        if (!after.isEmpty() && !after.startsWith("/") && !absoluteHttp(after)) {
            problems.add("login.post-logout-url: must be empty, a path starting with '/', or an http(s) URL");
        }
        if (c.sessions.refreshBeforeExpiry == null || c.sessions.refreshBeforeExpiry.isNegative()) {
            problems.add("sessions.refresh-before-expiry: must not be negative");
        }
        if (c.sessions.maxEntries < 1) {
            problems.add("sessions.max-entries: must be at least 1");
        }
        if (c.sessions.maxPerSubject < 1 || c.sessions.maxPerSubject > SidecarConfig.Sessions.MAX_PER_SUBJECT_LIMIT) {
            problems.add(
                    "sessions.max-per-subject: must be between 1 and " + SidecarConfig.Sessions.MAX_PER_SUBJECT_LIMIT);
        }
    }

    private static boolean absoluteHttp(String value) {
        try {
            URI u = new URI(value);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (Exception e) {
            return false;
        }
    }
}

package org.servicetokens.sidecar.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Meaning checks after binding: one message per bad key, naming the key and what it should be. */
final class ConfigValidator {

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    /** Upper bound of {@code tokens.verified-cache-size}. */
    static final int MAX_VERIFIED_CACHE_SIZE = 10_000_000;

    private ConfigValidator() {}

    static void validate(SidecarConfig c, List<String> problems) {
        port("listen.port", c.listen.port, true, problems);
        port("management.port", c.management.port, true, problems);
        if (c.listen.port != 0 && c.listen.port == c.management.port) {
            problems.add("management.port: must differ from listen.port (" + c.listen.port + ")");
        }
        notBlank("listen.host", c.listen.host, problems);
        notBlank("management.host", c.management.host, problems);
        if (c.listen.instances < 0 || c.listen.instances > 256) {
            problems.add("listen.instances: must be between 0 (one per core) and 256");
        }
        if (c.listen.maxHeaderSize < 1024 || c.listen.maxHeaderSize > 1_048_576) {
            problems.add("listen.max-header-size: must be between 1024 and 1048576 bytes");
        }
        if (!c.listen.publicUrl.isEmpty()
                && httpUrl("listen.public-url", c.listen.publicUrl, problems)
                && URI.create(c.listen.publicUrl).getRawUserInfo() != null) {
            problems.add("listen.public-url: must not carry user information ('user@')");
        }
        RequestValidation.validate(c, problems);
        if (c.accessLog.enabled && !c.accessLog.stdout && c.accessLog.file.isBlank()) {
            problems.add("access-log.stdout: false with no access-log.file leaves the log nowhere;"
                    + " set access-log.enabled: false to turn it off");
        }
        httpUrl("upstream.url", c.upstream.url, problems);
        positive("upstream.timeout", c.upstream.timeout, problems);
        positive("upstream.connect-timeout", c.upstream.connectTimeout, problems);
        if (c.upstream.poolSize < 1) {
            problems.add("upstream.pool-size: must be at least 1");
        }
        if (c.upstream.maxWaitQueue < 0) {
            problems.add("upstream.max-wait-queue: must be 0 or more");
        }

        if (httpUrl("keycloak.issuer", c.keycloak.issuer, problems) && c.keycloak.issuer.endsWith("/")) {
            problems.add(
                    "keycloak.issuer: must be the realm URL exactly as in the tokens' iss, without a trailing '/'");
        }
        if (!c.keycloak.discoveryUrl.isEmpty()) {
            httpUrl("keycloak.discovery-url", c.keycloak.discoveryUrl, problems);
        }
        positive("keycloak.timeout", c.keycloak.timeout, problems);
        positive("keycloak.jwks-refresh-interval", c.keycloak.jwksRefreshInterval, problems);
        positive("keycloak.jwks-min-refetch-interval", c.keycloak.jwksMinRefetchInterval, problems);
        if (c.keycloak.leeway.isNegative() || c.keycloak.leeway.compareTo(Duration.ofSeconds(30)) > 0) {
            problems.add("keycloak.leeway: must be between 0s and 30s");
        }
        if (c.keycloak.breakerFailureThreshold < 1) {
            problems.add("keycloak.breaker-failure-threshold: must be at least 1");
        }
        positive("keycloak.breaker-open-duration", c.keycloak.breakerOpenDuration, problems);
        positive("keycloak.probe-interval", c.keycloak.probeInterval, problems);

        notBlank("app.client-id", c.app.clientId, problems);

        headerNames("credentials.client-id-headers", c.credentials.clientIdHeaders, problems);
        headerNames("credentials.client-secret-headers", c.credentials.clientSecretHeaders, problems);
        if (c.credentials.clientIdHeaders.size() != c.credentials.clientSecretHeaders.size()) {
            problems.add("credentials.client-secret-headers: must pair one-to-one with credentials.client-id-headers");
        }

        if (c.exchange.refreshBeforeExpiry.isNegative()) {
            problems.add("exchange.refresh-before-expiry: must not be negative");
        }
        positive("exchange.negative-ttl", c.exchange.negativeTtl, problems);
        positive("exchange.retry-after", c.exchange.retryAfter, problems);
        if (c.exchange.maxEntries < 1) {
            problems.add("exchange.max-entries: must be at least 1");
        }
        if (c.tokens.verifiedCacheSize < 0 || c.tokens.verifiedCacheSize > MAX_VERIFIED_CACHE_SIZE) {
            // ~1 KB of heap per entry: past ten million the heap, not the setting, would be the limit.
            problems.add("tokens.verified-cache-size: must be 0 (off) to " + MAX_VERIFIED_CACHE_SIZE
                    + " (entries for the whole process)");
        }
        positive("revocation.max-token-age", c.revocation.maxTokenAge, problems);
        positive("revocation.retention", c.revocation.retention, problems);

        if (c.cookies.name == null || !COOKIE_NAME.matcher(c.cookies.name).matches()) {
            problems.add("cookies.name: must be letters, digits, '_' or '-'");
        }

        LoginValidation.validate(c, problems);
        LimitsValidation.validate(c, problems);

        // The parts of the settings that packages above this one own (policy rules, login URLs) are checked there.
        for (ConfigCheck check : ConfigCheck.installed()) {
            check.check(c, problems);
        }

        ForwardAuthValidation.validate(c, problems);
        ClusterValidation.validate(c.cluster, problems);
        org.servicetokens.sidecar.tls.TlsValidation.validate(
                c.keycloak.tls, c.keycloak.issuer, c.upstream.tls, c.upstream.url, c.listen.tls, problems);
    }

    private static void port(String key, int port, boolean allowZero, List<String> problems) {
        if (port < (allowZero ? 0 : 1) || port > 65535) {
            problems.add(key + ": must be a TCP port (1-65535), got " + port);
        }
    }

    private static void notBlank(String key, String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            problems.add(key + ": must not be empty");
        }
    }

    private static void positive(String key, Duration d, List<String> problems) {
        if (d == null || d.isZero() || d.isNegative()) {
            problems.add(key + ": must be a positive duration");
        }
    }

    private static boolean httpUrl(String key, String value, List<String> problems) {
        try {
            URI u = new URI(value);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && u.getHost() != null
                    && u.getRawQuery() == null
                    && u.getRawFragment() == null) {
                return true;
            }
        } catch (Exception ignored) {
            // reported below
        }
        problems.add(key + ": must be an http(s) URL without query, got '" + value + "'");
        return false;
    }

    private static void headerNames(String key, List<String> names, List<String> problems) {
        if (names.isEmpty()) {
            problems.add(key + ": must list at least one header name");
        }
        for (String n : names) {
            if (n == null || !HEADER_NAME.matcher(n).matches()) {
                problems.add(key + ": '" + n + "' is not a valid header name");
            }
        }
    }
}

package org.servicetokens.sidecar.config;

import java.net.URI;
import java.util.List;
import org.servicetokens.common.NetworkRange;
import org.servicetokens.sidecar.util.HttpSyntax;

/** Checks of {@code forward-auth.*} and {@code resource-metadata.*}. */
final class ForwardAuthValidation {

    private ForwardAuthValidation() {}

    static void validate(SidecarConfig c, List<String> problems) {
        SidecarConfig.ForwardAuth f = c.forwardAuth;
        List<String> proxies = f.trustedProxies == null ? List.of() : f.trustedProxies;
        if (proxies.size() > 50) {
            problems.add("forward-auth.trusted-proxies: at most 50 ranges");
        }
        for (String proxy : proxies) {
            try {
                NetworkRange.parse(proxy);
            } catch (IllegalArgumentException malformed) {
                problems.add("forward-auth.trusted-proxies: " + malformed.getMessage());
            }
        }
        names("forward-auth.method-headers", f.methodHeaders, true, problems);
        names("forward-auth.uri-headers", f.uriHeaders, false, problems);
        names("forward-auth.url-headers", f.urlHeaders, false, problems);
        names("forward-auth.host-headers", f.hostHeaders, false, problems);
        names("forward-auth.proto-headers", f.protoHeaders, false, problems);
        if (f.uriHeaders.isEmpty() && f.urlHeaders.isEmpty()) {
            problems.add(
                    "forward-auth.uri-headers: with forward-auth.url-headers empty too, no request target can be read");
        }
        if (f.maxUriLength < 256 || f.maxUriLength > 65_536) {
            problems.add("forward-auth.max-uri-length: must be between 256 and 65536 characters");
        }
        SidecarConfig.ResourceMetadata m = c.resourceMetadata;
        if (!m.resource.isEmpty()) {
            url("resource-metadata.resource", m.resource, problems);
        }
        if (!m.documentation.isEmpty()) {
            url("resource-metadata.documentation", m.documentation, problems);
        }
        if (HttpSyntax.hasControlCharacter(m.name) || m.name.indexOf('"') >= 0) {
            problems.add("resource-metadata.name: must not hold control characters or '\"'");
        }
    }

    private static void names(String key, List<String> names, boolean required, List<String> problems) {
        if (names == null || (required && names.isEmpty())) {
            problems.add(key + ": must list at least one header name");
            return;
        }
        for (String n : names) {
            if (!HttpSyntax.isToken(n)) {
                problems.add(key + ": '" + n + "' is not a valid header name");
            }
        }
    }

    /** RFC 9728 §2: the resource identifier is a URL with the https scheme and no fragment (http kept for local use). */
    private static void url(String key, String value, List<String> problems) {
        try {
            URI u = new URI(value);
            if (("https".equals(u.getScheme()) || "http".equals(u.getScheme()))
                    && u.getHost() != null
                    && u.getRawFragment() == null
                    && u.getRawQuery() == null
                    && u.getRawUserInfo() == null) {
                return;
            }
        } catch (Exception ignored) {
            // reported below
        }
        problems.add(key + ": must be an http(s) URL without query, fragment or user information, got '" + value + "'");
    }
}

package org.servicetokens.sidecar.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.servicetokens.common.NetworkRange;
import org.servicetokens.sidecar.util.HttpSyntax;

/**
 * Checks of the keys that shape what requests are accepted ({@code listen.methods}, {@code listen.trusted-proxies},
 * {@code headers.*}).
 */
final class RequestValidation {

    /** Headers the proxy needs to frame and route the request: stripping them would break it, not protect it. */
    private static final Set<String> UNSTRIPPABLE =
            Set.of("host", "content-length", "transfer-encoding", "connection", "upgrade");

    private RequestValidation() {}

    static void validate(SidecarConfig c, List<String> problems) {
        List<String> proxies = c.listen.trustedProxies == null ? List.of() : c.listen.trustedProxies;
        if (proxies.size() > 50) {
            problems.add("listen.trusted-proxies: at most 50 ranges");
        }
        for (String proxy : proxies) {
            try {
                NetworkRange.parse(proxy);
            } catch (IllegalArgumentException malformed) {
                problems.add("listen.trusted-proxies: " + malformed.getMessage());
            }
        }
        Set<String> allowed = new HashSet<>();
        if (c.listen.methods == null || c.listen.methods.isEmpty()) {
            problems.add("listen.methods: must list at least one method");
        } else {
            for (String m : c.listen.methods) {
                if (!HttpSyntax.isToken(m) || !m.equals(m.toUpperCase(Locale.ROOT))) {
                    // Lower-case entries would admit exactly the spellings that frameworks upper-case behind the
                    // policy.
                    problems.add("listen.methods: '" + m + "' must be an upper-case HTTP method (RFC 9110 token)");
                } else if (m.equals("CONNECT")) {
                    problems.add("listen.methods: CONNECT opens a tunnel, which a reverse proxy cannot judge");
                } else {
                    allowed.add(m);
                }
            }
        }
        for (int i = 0; i < c.policy.rules.size(); i++) {
            SidecarConfig.Rule r = c.policy.rules.get(i);
            for (String m : r == null || r.methods == null ? List.<String>of() : r.methods) {
                String up = m == null ? "" : m.toUpperCase(Locale.ROOT);
                if (HttpSyntax.isToken(up) && !allowed.isEmpty() && !allowed.contains(up)) {
                    problems.add("policy.rules[" + i + "].methods: " + up
                            + " is not in listen.methods, so every such request" + " gets 405 before any rule is read");
                }
            }
        }
        List<String> extra = c.headers.stripExtra == null ? List.of() : c.headers.stripExtra;
        for (String h : extra) {
            if (!HttpSyntax.isToken(h)) {
                problems.add("headers.strip-extra: '" + h + "' is not a valid header name");
            } else if (UNSTRIPPABLE.contains(h.toLowerCase(Locale.ROOT).replace('_', '-'))) {
                problems.add("headers.strip-extra: " + h + " frames or routes the request and cannot be stripped");
            }
        }
    }
}

package org.servicetokens.sidecar.policy;

import io.vertx.core.http.HttpMethod;
import java.util.List;

/** Ordered rules, first match wins; a path no rule matches needs an authenticated caller. */
public final class Policy {

    private final List<PolicyRule> rules;

    public Policy(List<PolicyRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public Access decide(HttpMethod method, String normalizedPath) {
        for (PolicyRule rule : rules) {
            if (rule.matches(method, normalizedPath)) {
                return rule.access();
            }
        }
        return Access.AUTHENTICATED;
    }

    public List<PolicyRule> rules() {
        return rules;
    }
}

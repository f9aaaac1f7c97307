package org.servicetokens.sidecar.policy;

import java.util.List;
import org.servicetokens.sidecar.config.ConfigCheck;
import org.servicetokens.sidecar.config.SidecarConfig;

/** {@code policy.rules}: each rule parses ({@link PolicyParser} reports every problem with its rule's index). */
public final class PolicyRulesCheck implements ConfigCheck {

    @Override
    public void check(SidecarConfig config, List<String> problems) {
        PolicyParser.parse(config.policy.rules, problems);
    }
}

package org.servicetokens.sidecar.config;

import java.util.List;

/** Every problem found in the configuration, one message per bad key, so one run shows them all. */
public class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

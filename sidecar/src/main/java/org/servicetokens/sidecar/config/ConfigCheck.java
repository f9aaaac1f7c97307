package org.servicetokens.sidecar.config;

import java.util.List;
import java.util.ServiceLoader;

/**
 * A check of the part of the settings that a package above this one owns (the policy rules' grammar, the login's
 * same-origin paths), run by {@link ConfigLoader} with its own checks, so every problem is reported at start-up in
 * one list. The implementations are found through {@link ServiceLoader}
 * ({@code META-INF/services/org.servicetokens.sidecar.config.ConfigCheck}), which keeps {@code config} the ground
 * floor: it names no package above it.
 */
public interface ConfigCheck {

    /** Adds one message per problem to {@code problems}, each starting with the key it is about. */
    void check(SidecarConfig config, List<String> problems);

    /** The checks on the class path, in the order the services file lists them. */
    static List<ConfigCheck> installed() {
        return Holder.CHECKS;
    }

    /** Loaded once, on first use. */
    final class Holder {
        private static final List<ConfigCheck> CHECKS =
                ServiceLoader.load(ConfigCheck.class, ConfigCheck.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .toList();

        private Holder() {}
    }
}

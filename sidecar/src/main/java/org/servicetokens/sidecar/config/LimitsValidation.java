package org.servicetokens.sidecar.config;

import java.time.Duration;
import java.util.List;

/** The bounds that keep anonymous clients from exhausting the sidecar: connections, timeouts, calls to Keycloak. */
final class LimitsValidation {

    private LimitsValidation() {}

    static void validate(SidecarConfig c, List<String> problems) {
        positive("listen.header-timeout", c.listen.headerTimeout, problems);
        positive("listen.idle-timeout", c.listen.idleTimeout, problems);
        if (c.listen.idleTimeout != null && c.listen.idleTimeout.toMillis() % 1000 != 0) {
            problems.add("listen.idle-timeout: must be whole seconds");
        }
        atLeast("listen.max-connections", c.listen.maxConnections, 1, problems);
        positive("keycloak.connect-timeout", c.keycloak.connectTimeout, problems);
        positive("keycloak.probe-timeout", c.keycloak.probeTimeout, problems);
        atLeast("exchange.pool-size", c.exchange.poolSize, 1, problems);
        atLeast("exchange.pool-max-wait-queue", c.exchange.poolMaxWaitQueue, 0, problems);
        atLeast("exchange.calls-per-second", c.exchange.callsPerSecond, 1, problems);
        atLeast("exchange.calls-burst", c.exchange.callsBurst, 1, problems);
        atLeast("exchange.calls-per-client-per-minute", c.exchange.callsPerClientPerMinute, 1, problems);
        atLeast("exchange.call-queue", c.exchange.callQueue, 0, problems);
        positive("exchange.call-queue-timeout", c.exchange.callQueueTimeout, problems);
    }

    private static void atLeast(String key, int value, int min, List<String> problems) {
        if (value < min) {
            problems.add(key + ": must be at least " + min);
        }
    }

    private static void positive(String key, Duration d, List<String> problems) {
        if (d == null || d.isZero() || d.isNegative()) {
            problems.add(key + ": must be a positive duration");
        }
    }
}

package org.servicetokens.keycloak.it;

import java.nio.file.Path;
import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * The one server configuration of this module (a second one would restart Keycloak): our provider from
 * target/classes, jobs on short intervals so the tests see them run, and the server log in a file the
 * secret-leak test reads.
 */
public class ServiceTokenServerConfig implements KeycloakServerConfig {

    public static final Path SERVER_LOG =
            Path.of("target", "keycloak-server.log").toAbsolutePath();
    public static final int MAINTENANCE_INTERVAL_SECONDS = 3;
    public static final int GRACE_CHECK_INTERVAL_SECONDS = 1;
    public static final int LAST_USED_FLUSH_INTERVAL_SECONDS = 1;

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        config.log()
                .handlers(KeycloakServerConfigBuilder.LogHandlers.CONSOLE, KeycloakServerConfigBuilder.LogHandlers.FILE)
                .categoryLevel("org.servicetokens", "debug");
        return config.dependencyCurrentProject()
                .option("log-file", SERVER_LOG.toString())
                .spiOption(
                        "admin-realm-restapi-extension",
                        "service-tokens",
                        "maintenance-interval",
                        Integer.toString(MAINTENANCE_INTERVAL_SECONDS))
                .spiOption(
                        "admin-realm-restapi-extension",
                        "service-tokens",
                        "grace-check-interval",
                        Integer.toString(GRACE_CHECK_INTERVAL_SECONDS))
                .spiOption(
                        "client-authenticator",
                        "service-token",
                        "last-used-flush-interval",
                        Integer.toString(LAST_USED_FLUSH_INTERVAL_SECONDS));
    }
}

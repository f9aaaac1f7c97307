package org.servicetokens.sidecar.it;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/** Keycloak 26.7.3 with our provider jar from the reactor (this module's only server configuration). */
public class SidecarKeycloakConfig implements KeycloakServerConfig {

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        return config.dependency("org.servicetokens", "keycloak-service-token-spi")
                .spiOption("admin-realm-restapi-extension", "service-tokens", "grace-check-interval", "1");
    }
}

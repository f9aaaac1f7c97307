package org.servicetokens.keycloak.it;

import org.keycloak.admin.client.Keycloak;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * What every integration test of the provider is given: the admin client of the framework's server and its URLs,
 * injected by Keycloak's test framework (it injects fields of superclasses too). A test class still names the
 * server config itself, {@code @KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)} (the annotation
 * is not inherited), and it must be that one class: another config would restart the server.
 */
public abstract class ServiceTokenITBase {

    @InjectAdminClient
    protected Keycloak admin;

    @InjectKeycloakUrls
    protected KeycloakUrls urls;

    /** The service-token API of {@code realm}, called as the framework's admin (its token refreshed as needed). */
    protected TokenApi tokenApi(String realm) {
        return new TokenApi(urls.getBase(), realm, () -> admin.tokenManager().getAccessTokenString());
    }
}

package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.info.ProviderRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/** The chain everything else stands on: a real Keycloak 26.7.3 loads our jar and imports the demo realm. */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class ProviderLoadsIT extends DemoRealmITBase {

    @Test
    void serverInfoListsOurProviders() {
        Map<String, ProviderRepresentation> authenticators = admin.serverInfo()
                .getInfo()
                .getProviders()
                .get("client-authenticator")
                .getProviders();
        assertTrue(
                authenticators.containsKey("service-token"),
                "service-token authenticator loaded: " + authenticators.keySet());

        Map<String, ProviderRepresentation> restExtensions = admin.serverInfo()
                .getInfo()
                .getProviders()
                .get("admin-realm-restapi-extension")
                .getProviders();
        assertTrue(restExtensions.containsKey("service-tokens"), "REST extension loaded: " + restExtensions.keySet());

        assertTrue(
                admin.serverInfo().getInfo().getProtocolMapperTypes().get("openid-connect").stream()
                        .anyMatch(type -> "service-token-claims-mapper".equals(type.getId())),
                "claims mapper loaded");
        assertTrue(
                admin.serverInfo().getInfo().getSystemInfo().getVersion().startsWith("26.7.3"),
                "runs the 26.7.3 distribution: "
                        + admin.serverInfo().getInfo().getSystemInfo().getVersion());
    }

    @Test
    void demoRealmIsImportedWithTheAuthenticatorInstalled() {
        var rep = realm.admin().toRepresentation();
        assertEquals("demo", rep.getRealm());
        assertNotNull(realm.admin().clients().findByClientId("demo-app").stream()
                .findFirst()
                .orElse(null));
        assertEquals(1, realm.admin().users().search("demo", true).size());

        String flow = rep.getClientAuthenticationFlow();
        long installed = realm.admin().flows().getExecutions(flow).stream()
                .map(AuthenticationExecutionInfoRepresentation::getProviderId)
                .filter("service-token"::equals)
                .count();
        assertEquals(1, installed, "the authenticator is in the realm's client flow exactly once");
    }
}

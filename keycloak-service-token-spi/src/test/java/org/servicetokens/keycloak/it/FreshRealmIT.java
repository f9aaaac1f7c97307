package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.server.KeycloakUrls;

/** A realm created through the admin API takes service tokens with no manual flow change. */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class FreshRealmIT {

    @InjectAdminClient
    Keycloak admin;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    @Test
    void freshRealmAcceptsServiceTokens() {
        RealmRepresentation rep = new RealmRepresentation();
        rep.setRealm("fresh-" + Long.toString(System.nanoTime(), 36));
        rep.setEnabled(true);
        admin.realms().create(rep);
        try {
            admin.tokenManager().refreshToken();
            TokenApi api = new TokenApi(urls.getBase(), rep.getRealm(), () -> admin.tokenManager().getAccessTokenString());
            JsonNode created = api.create("first bot", null);
            Http.Reply reply = Http.clientCredentials(urls.getBase() + "/realms/" + rep.getRealm(),
                    created.get("clientId").asText(), created.get("clientSecret").asText());
            assertEquals(200, reply.status(), "token endpoint in a brand-new realm");
        } finally {
            admin.realm(rep.getRealm()).remove();
        }
    }
}

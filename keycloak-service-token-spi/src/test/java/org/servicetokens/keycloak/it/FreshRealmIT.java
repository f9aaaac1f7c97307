package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/** A realm created through the admin API takes service tokens with no manual flow change. */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class FreshRealmIT extends ServiceTokenITBase {

    @Test
    void freshRealmAcceptsServiceTokens() {
        RealmRepresentation rep = new RealmRepresentation();
        rep.setRealm("fresh-" + Long.toString(System.nanoTime(), 36));
        rep.setEnabled(true);
        admin.realms().create(rep);
        try {
            admin.tokenManager().refreshToken();
            TokenApi api = tokenApi(rep.getRealm());
            JsonNode created = api.create("first bot", null);
            Http.Reply reply = Http.clientCredentials(
                    urls.getBase() + "/realms/" + rep.getRealm(),
                    created.get("clientId").asText(),
                    created.get("clientSecret").asText());
            assertEquals(200, reply.status(), "token endpoint in a brand-new realm");
        } finally {
            admin.realm(rep.getRealm()).remove();
        }
    }
}

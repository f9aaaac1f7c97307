package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * Allowed networks at Keycloak's token endpoint, judged against the client address Keycloak resolves: requests are
 * sent from a bound local address (127.0.0.1 or 127.0.0.2), so the server really sees two different clients.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class NetworksIT extends DemoRealmITBase {

    @Test
    void aTokenLimitedTo127002IsRefusedFrom127001AndAcceptedFrom127002() {
        JsonNode created = createWithNetworks("127.0.0.2/32");
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();

        Http.Reply refused =
                BoundHttp.clientCredentials("127.0.0.1", realm.getBaseUrl(), clientId, secret, "networks-it");
        assertEquals(401, refused.status(), refused.printable());
        assertEquals("invalid_client", refused.json().get("error").asText());
        assertEquals("address_not_allowed", lastErrorReason(clientId));

        Http.Reply accepted =
                BoundHttp.clientCredentials("127.0.0.2", realm.getBaseUrl(), clientId, secret, "networks-it");
        assertEquals(200, accepted.status(), accepted.printable());
        JsonNode claim =
                Http.jwtPayload(accepted.json().get("access_token").asText()).get("service_token");
        assertEquals(
                "[\"127.0.0.2/32\"]", claim.get("networks").toString(), "the JWT carries the networks for the sidecar");

        JsonNode view = api.get("/" + created.get("id").asText()).json();
        assertEquals(
                "127.0.0.2",
                view.get("secretUse").get("address").asText(),
                "the accepted request's address, not the refused one's");
        assertEquals(1, view.get("secretUse").get("count").asLong(), "a refused request is not a use");

        // Lifting the limit ([]): any address again, and the JWT carries no networks.
        assertEquals(
                200,
                api.put("/" + created.get("id").asText(), "{\"networks\":[]}").status());
        Http.Reply anywhere =
                BoundHttp.clientCredentials("127.0.0.1", realm.getBaseUrl(), clientId, secret, "networks-it");
        assertEquals(200, anywhere.status(), anywhere.printable());
        assertTrue(Http.jwtPayload(anywhere.json().get("access_token").asText())
                        .get("service_token")
                        .get("networks")
                == null);
    }

    @Test
    void rangesAreParsedStrictlyNormalisedAndBounded() {
        Http.Reply malformed = api.post("", "{\"name\":\"bad range\",\"networks\":[\"10.0.0.0/8\",\"10.0.0.300/8\"]}");
        assertEquals(400, malformed.status(), malformed.printable());
        assertTrue(
                malformed
                        .json()
                        .get("error_description")
                        .asText()
                        .startsWith("'networks[1]': '10.0.0.300/8' is not an IPv4 or IPv6"),
                malformed.printable());

        JsonNode created = createWithNetworks("2001:DB8:0:0::/32", "10.0.0.0/8", "10.0.0.0/8", "::1");
        String id = "/" + created.get("id").asText();
        assertEquals(
                "[\"2001:db8::/32\",\"10.0.0.0/8\",\"::1/128\"]",
                api.get(id).json().get("networks").toString(),
                "normal form, duplicates dropped, a bare address is its /128");

        Http.Reply hostBits = api.put(id, "{\"networks\":[\"10.1.2.3/8\"]}");
        assertEquals(400, hostBits.status());
        assertTrue(
                hostBits.json().get("error_description").asText().contains("the range is 10.0.0.0/8"),
                hostBits.printable());
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            tooMany.add("\"10.0.0." + i + "\"");
        }
        Http.Reply bounded = api.put(id, "{\"networks\":[" + String.join(",", tooMany) + "]}");
        assertEquals(400, bounded.status());
        assertTrue(bounded.json().get("error_description").asText().contains("at most 50"), bounded.printable());
        assertEquals(400, api.put(id, "{\"networks\":\"10.0.0.0/8\"}").status(), "a list, not a string");
        assertEquals(400, api.put(id, "{\"networks\":[null]}").status());
        assertEquals(3, api.get(id).json().get("networks").size(), "a refused change changes nothing");
    }

    /** A whole-realm import brings networks in as exported; an unreadable list makes the token broken, never open. */
    @Test
    void importedNetworksAreEnforcedAndUnreadableOnesFailClosed() {
        String name = "networks-" + Long.toString(System.nanoTime(), 36);
        String secret = TokenSecrets.generate();
        RealmRepresentation rep = ImportedTokens.realm(name);
        List<ClientRepresentation> clients = new ArrayList<>();
        List<UserRepresentation> users = new ArrayList<>();
        for (var entry : Map.of("limited-bot", "[\"127.0.0.2/32\"]", "unreadable-bot", "[\"10.1.2.3/8\"]")
                .entrySet()) {
            clients.add(ImportedTokens.tokenClient(
                    entry.getKey(), secret, Map.of("service-token.networks", entry.getValue())));
            users.add(ImportedTokens.serviceAccount(entry.getKey()));
        }
        rep.setClients(clients);
        rep.setUsers(users);
        admin.realms().create(rep);
        try {
            String realmUrl = urls.getBase() + "/realms/" + name;
            assertEquals(
                    401,
                    BoundHttp.clientCredentials("127.0.0.1", realmUrl, "limited-bot", secret, "it")
                            .status());
            assertEquals(
                    200,
                    BoundHttp.clientCredentials("127.0.0.2", realmUrl, "limited-bot", secret, "it")
                            .status());
            Http.Reply unreadable = BoundHttp.clientCredentials("127.0.0.1", realmUrl, "unreadable-bot", secret, "it");
            assertEquals(401, unreadable.status(), unreadable.printable());
            JsonNode broken = null;
            for (JsonNode token : tokenApi(name).get("").json()) {
                if (token.get("clientId").asText().equals("unreadable-bot")) {
                    broken = token;
                }
            }
            assertEquals("broken", broken.get("status").asText());
            assertEquals(
                    "networks_unreadable",
                    broken.get("problems").get(0).get("reason").asText());
            // The fix is to set them again.
            assertEquals(
                    200,
                    tokenApi(name)
                            .put("/" + broken.get("id").asText(), "{\"networks\":[\"127.0.0.0/8\"]}")
                            .status());
            assertEquals(
                    200,
                    BoundHttp.clientCredentials("127.0.0.1", realmUrl, "unreadable-bot", secret, "it")
                            .status());

            // And out again: a realm export carries the stored list.
            RealmRepresentation exported = admin.realms().realm(name).partialExport(false, true);
            String stored = exported.getClients().stream()
                    .filter(c -> "limited-bot".equals(c.getClientId()))
                    .findFirst()
                    .orElseThrow()
                    .getAttributes()
                    .get("service-token.networks");
            assertEquals("[\"127.0.0.2/32\"]", stored);
        } finally {
            admin.realms().realm(name).remove();
        }
    }

    private JsonNode createWithNetworks(String... ranges) {
        StringBuilder networks = new StringBuilder();
        for (String range : ranges) {
            networks.append(networks.isEmpty() ? "" : ",")
                    .append('"')
                    .append(range)
                    .append('"');
        }
        Http.Reply reply = api.post(
                "", "{\"name\":\"networks bot\",\"applications\":[\"demo-app\"],\"networks\":[" + networks + "]}");
        assertEquals(201, reply.status(), reply.printable());
        return reply.json();
    }

    private String lastErrorReason(String clientId) {
        List<EventRepresentation> errors =
                realm.admin().getEvents(List.of("CLIENT_LOGIN_ERROR"), clientId, null, null, null, null, 0, 1);
        return errors.isEmpty() ? null : errors.get(0).getDetails().get("service_token_error");
    }
}

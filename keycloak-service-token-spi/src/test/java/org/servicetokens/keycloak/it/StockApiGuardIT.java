package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * Keycloak's own APIs next to the service-token API: a token cannot be changed through the stock clients API or a
 * partial import; its service-account user disabled or deleted by hand makes it broken (refused, shown, repairable);
 * applications are followed by client id through renames and dropped, with an admin event, when deleted.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class StockApiGuardIT extends DemoRealmITBase {

    @Test
    void stockClientEditsOfATokenAreRefused() {
        // Outside every expiry-warning window (30, 7, 1 days): the warning job would otherwise mark the token
        // between the two snapshots below and the comparison would see its attribute, not a stock edit.
        JsonNode created = api.create("guarded", "P90D", "demo-app");
        String id = created.get("id").asText();
        var stock = realm.admin().clients().get(id);
        ClientRepresentation original = stock.toRepresentation();

        List<java.util.function.Consumer<ClientRepresentation>> edits = List.of(
                rep -> rep.getAttributes().put("service-token.expires-at", "4102444800"),
                rep -> rep.getAttributes()
                        .put("service-token.secret-hash", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                rep -> rep.getAttributes().remove("service-token.expires-at"),
                rep -> rep.setClientAuthenticatorType("client-secret"),
                rep -> {
                    rep.setClientAuthenticatorType("client-secret");
                    rep.getAttributes().remove("service-token");
                },
                rep -> rep.setServiceAccountsEnabled(false),
                rep -> rep.setFullScopeAllowed(true),
                rep -> rep.setRedirectUris(List.of("https://evil.example/*")),
                rep -> rep.setStandardFlowEnabled(true),
                rep -> rep.setName("renamed behind the API"));
        for (var edit : edits) {
            ClientRepresentation changed = stock.toRepresentation();
            edit.accept(changed);
            jakarta.ws.rs.BadRequestException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    jakarta.ws.rs.BadRequestException.class, () -> stock.update(changed));
            String body = refused.getResponse().readEntity(String.class);
            assertTrue(body.contains("service-tokens"), "the refusal says where to change it: " + body);
        }
        ClientRepresentation after = stock.toRepresentation();
        assertEquals(original.getAttributes(), after.getAttributes(), "nothing changed");
        assertEquals("service-token", after.getClientAuthenticatorType());
        assertEquals("active", api.get("/" + id).json().get("status").asText());

        // A partial import may not overwrite a token either (it would drop the service account).
        ClientRepresentation imported = stock.toRepresentation();
        imported.getAttributes().put("service-token.expires-at", "4102444800");
        Map<String, Object> partial = Map.of("ifResourceExists", "OVERWRITE", "clients", List.of(imported));
        try (Response overwrite = realm.admin().partialImport(toPartial(partial))) {
            assertEquals(400, overwrite.getStatus());
        }
        assertEquals(original.getAttributes(), stock.toRepresentation().getAttributes());
        assertTrue(realm.admin().clients().get(id).getServiceAccountUser() != null, "the service account survived");
    }

    @Test
    void aServiceAccountDisabledOrDeletedByHandIsBrokenAndRepairable() {
        JsonNode created = api.create("hand edited", null, "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        var users = realm.admin().users();

        UserRepresentation account = realm.admin().clients().get(id).getServiceAccountUser();
        account.setEnabled(false);
        users.get(account.getId()).update(account);
        assertBroken(id, clientId, secret, "service_account_disabled");
        assertEquals(
                "active",
                api.post("/" + id + "/repair", "").json().get("status").asText());
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret).status());

        try (Response deleted = users.delete(account.getId())) {
            assertEquals(204, deleted.getStatus());
        }
        assertBroken(id, clientId, secret, "service_account_missing");
        JsonNode repaired = api.post("/" + id + "/repair", "").json();
        assertEquals("active", repaired.get("status").asText(), repaired.toString());
        Http.Reply works = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(200, works.status());
        assertEquals(
                realm.admin().clients().get(id).getServiceAccountUser().getId(),
                Http.jwtPayload(works.json().get("access_token").asText())
                        .get("sub")
                        .asText(),
                "the new service account");
        assertTrue(
                realm.admin().getAdminEvents().stream()
                        .anyMatch(e -> ("service-tokens/" + id + "/repair").equals(e.getResourcePath())),
                "repair is an admin event");
    }

    @Test
    void applicationsFollowRenamesAndDeletions() {
        ClientRepresentation app = new ClientRepresentation();
        app.setClientId("app-x");
        app.setPublicClient(false);
        realm.admin().clients().create(app).close();
        String appId = realm.admin().clients().findByClientId("app-x").get(0).getId();
        JsonNode created = api.create("follows renames", null, "app-x", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();

        ClientRepresentation renamed = realm.admin().clients().get(appId).toRepresentation();
        renamed.setClientId("app-y");
        realm.admin().clients().get(appId).update(renamed);
        assertEquals(List.of("app-y", "demo-app"), applications(id), "the rename is followed");
        assertTrue(audience(clientId, secret).contains("app-y"));
        assertFalse(audience(clientId, secret).contains("app-x"));

        realm.admin().clients().get(appId).remove();
        assertEquals(List.of("demo-app"), applications(id), "a deleted application is dropped");
        assertTrue(
                realm.admin().getAdminEvents().stream()
                        .anyMatch(e -> ("service-tokens/" + id).equals(e.getResourcePath())
                                && e.getRepresentation() != null
                                && e.getRepresentation().contains("\"removedApplication\":\"app-y\"")),
                "the drop is an admin event on the token");

        ClientRepresentation lookalike = new ClientRepresentation();
        lookalike.setClientId("app-y");
        realm.admin().clients().create(lookalike).close();
        assertEquals(
                List.of("demo-app"), applications(id), "a new client with the same client ID is not the application");
        assertFalse(audience(clientId, secret).contains("app-y"));
    }

    @Test
    void aStockDeleteOfATokenStillEndsIt() {
        JsonNode created = api.create("stock deleted", null);
        String id = created.get("id").asText();
        realm.admin().clients().get(id).remove();
        assertEquals(404, api.get("/" + id).status());
        assertEquals(
                401,
                Http.clientCredentials(
                                realm.getBaseUrl(),
                                created.get("clientId").asText(),
                                created.get("clientSecret").asText())
                        .status());
    }

    private void assertBroken(String id, String clientId, String secret, String reason) {
        Http.Reply refused = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(401, refused.status(), refused.printable());
        assertEquals("invalid_client", refused.json().get("error").asText());
        List<EventRepresentation> errors =
                realm.admin().getEvents(List.of("CLIENT_LOGIN_ERROR"), clientId, null, null, null, null, 0, 1);
        assertEquals(reason, errors.get(0).getDetails().get("service_token_error"));
        JsonNode view = api.get("/" + id).json();
        assertEquals("broken", view.get("status").asText());
        assertEquals(reason, view.get("problems").get(0).get("reason").asText());
        assertTrue(view.get("repairable").asBoolean());
    }

    private List<String> applications(String id) {
        List<String> names = new java.util.ArrayList<>();
        api.get("/" + id).json().get("applications").forEach(a -> names.add(a.asText()));
        return names;
    }

    private List<String> audience(String clientId, String secret) {
        Http.Reply minted = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(200, minted.status(), minted.printable());
        return ServiceTokenLifecycleIT.audience(
                Http.jwtPayload(minted.json().get("access_token").asText()));
    }

    private static org.keycloak.representations.idm.PartialImportRepresentation toPartial(Map<String, Object> partial) {
        return Http.JSON.convertValue(partial, org.keycloak.representations.idm.PartialImportRepresentation.class);
    }
}

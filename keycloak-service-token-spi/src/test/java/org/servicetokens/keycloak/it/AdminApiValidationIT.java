package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/** Bad input gets a clear 400 and changes nothing; roles decide who may read and who may change. */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class AdminApiValidationIT extends DemoRealmITBase {

    @ParameterizedTest(name = "POST {0} -> 400 mentioning {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "{\"name\":\"\"}|name",
                "{\"name\":\"   \"}|name",
                "{}|name",
                "{\"description\":\"no name\"}|name",
                "{\"name\":\"x\",\"duration\":\"forever\"}|duration",
                "{\"name\":\"x\",\"duration\":\"P-5D\"}|duration",
                "{\"name\":\"x\",\"duration\":\"PT0S\"}|duration",
                "{\"name\":\"x\",\"applications\":[\"no-such-client\"]}|no-such-client",
                "{\"name\":\"x\",\"applications\":[\"demo-app\",\"demo-app\"]}|twice",
                "{\"name\":\"x\",\"applications\":[\"\"]}|empty",
                "{\"name\":\"x\",\"applications\":\"demo-app\"}|applications",
                "{\"name\":5}|name",
                "{\"name\":\"x\",\"bogus\":1}|bogus",
                "{\"name\":\"x\",\"name\":\"y\"}|Duplicate",
                "{\"name\":\"x\"}{}|Malformed",
                "{\"name\":\"x\"|Malformed",
                "not json|Malformed",
                "[]|Malformed",
                "{\"name\":\"tab\\u0007bell\"}|control",
            })
    void createRejectsBadInput(String body, String mentioned) {
        int before = api.get("").json().size();
        Http.Reply reply = api.post("", body);
        assertEquals(400, reply.status(), reply.printable());
        assertEquals("invalid_request", reply.json().get("error").asText());
        assertTrue(
                reply.json().get("error_description").asText().toLowerCase().contains(mentioned.toLowerCase()),
                "description names the problem: " + reply.printable());
        assertEquals(before, api.get("").json().size(), "nothing was created");
    }

    @Test
    void oversizedInputIsRefused() {
        assertEquals(400, api.post("", "{\"name\":\"" + "n".repeat(200) + "\"}").status(), "200-char name");
        assertEquals(
                400,
                api.post("", "{\"name\":\"x\",\"description\":\"" + "d".repeat(300) + "\"}")
                        .status());
        Http.Reply huge = api.post("", "{\"name\":\"x\",\"description\":\"" + "d".repeat(70_000) + "\"}");
        assertTrue(huge.status() == 400 || huge.status() == 413, "huge body refused, was " + huge.status());
    }

    @Test
    void realmMaximumAndGraceLimitsAreEnforced() {
        assertEquals(
                200,
                api.put("/settings", "{\"maxDuration\":\"P90D\",\"defaultDuration\":\"P30D\"}")
                        .status());
        try {
            Http.Reply tooLong = api.post("", "{\"name\":\"x\",\"duration\":\"P365D\"}");
            assertEquals(400, tooLong.status());
            assertTrue(tooLong.json().get("error_description").asText().contains("maximum"));
            assertEquals(
                    400, api.post("", "{\"name\":\"x\",\"duration\":\"never\"}").status());
            JsonNode ok = api.create("within max", "P90D");
            String id = ok.get("id").asText();
            assertEquals(
                    400,
                    api.post("/" + id + "/extend", "{\"duration\":\"P1Y\"}").status());
            assertEquals(
                    400,
                    api.post("/" + id + "/rotate", "{\"gracePeriod\":\"P31D\"}").status());
            assertEquals(
                    400,
                    api.post("/" + id + "/rotate", "{\"gracePeriod\":\"-PT1H\"}")
                            .status());
            assertEquals(
                    400,
                    api.post("/" + id + "/rotate", "{\"gracePeriod\":\"tomorrow\"}")
                            .status());
            assertEquals(
                    400,
                    api.put("/" + id + "/previous-secret", "{\"expiresAt\":\"2030-01-01T00:00:00Z\"}")
                            .status(),
                    "no previous secret to move");
            assertEquals(
                    400,
                    api.put("/" + id + "/previous-secret", "{\"expiresAt\":\"soon\"}")
                            .status());
        } finally {
            api.put("/settings", "{\"maxDuration\":\"never\",\"defaultDuration\":\"P365D\"}");
        }
    }

    @Test
    void settingsRoundTripAndValidation() {
        Http.Reply put = api.put(
                "/settings",
                "{\"expiryWarningDays\":[7,30,1],\"inactivityDays\":90,"
                        + "\"inactivityAction\":\"disable\",\"notifyEmails\":[\"ops@example.com\"]}");
        assertEquals(200, put.status(), put.printable());
        JsonNode settings = api.get("/settings").json();
        assertEquals("[30,7,1]", settings.get("expiryWarningDays").toString());
        assertEquals("disable", settings.get("inactivityAction").asText());
        assertEquals("P365D", settings.get("defaultDuration").asText(), "untouched keys keep their value");
        for (String bad : new String[] {
            "{\"inactivityAction\":\"explode\"}",
            "{\"notifyEmails\":[\"not-an-email\"]}",
            "{\"expiryWarningDays\":[0]}",
            "{\"inactivityDays\":-1}",
            "{\"defaultDuration\":\"P2Y\",\"maxDuration\":\"P1Y\"}"
        }) {
            assertEquals(400, api.put("/settings", bad).status(), bad);
        }
        api.put("/settings", "{\"inactivityDays\":0,\"inactivityAction\":\"none\",\"notifyEmails\":[]}");
    }

    @Test
    void unknownIdsAndBadQueryParameters() {
        assertEquals(404, api.get("/00000000-0000-0000-0000-000000000000").status());
        assertEquals(404, api.get("/" + "x".repeat(300)).status());
        assertEquals(404, api.put("/nope", "{}").status());
        assertEquals(404, api.post("/nope/rotate", "{}").status());
        assertEquals(404, api.post("/nope/extend", "{}").status());
        // A normal client is not a service token, even by its internal id.
        String demoAppId =
                realm.admin().clients().findByClientId("demo-app").get(0).getId();
        assertEquals(404, api.get("/" + demoAppId).status());
        assertEquals(404, api.delete("/" + demoAppId).status());
        assertEquals(400, api.get("?first=-1").status());
        assertEquals(400, api.get("?max=abc").status());
    }

    @Test
    void rolesDecideWhoMayReadAndChange() {
        String existing = api.create("role check", null).get("id").asText();
        TokenApi viewer = new TokenApi(urls.getBase(), realm.getName(), () -> userToken("token-viewer"));
        assertEquals(200, viewer.get("").status(), "view-clients can list");
        assertEquals(200, viewer.get("/" + existing).status(), "view-clients can read one");
        assertEquals(200, viewer.get("/settings").status());
        Map<String, Http.Reply> mutations = Map.of(
                "create", viewer.post("", "{\"name\":\"nope\"}"),
                "update", viewer.put("/" + existing, "{\"enabled\":false}"),
                "rotate", viewer.post("/" + existing + "/rotate", "{}"),
                "extend", viewer.post("/" + existing + "/extend", "{}"),
                "previous-secret",
                        viewer.put("/" + existing + "/previous-secret", "{\"expiresAt\":\"2000-01-01T00:00:00Z\"}"),
                "delete", viewer.delete("/" + existing),
                "settings", viewer.put("/settings", "{}"));
        mutations.forEach((what, reply) -> {
            assertEquals(403, reply.status(), what + " needs more than view-clients");
            assertEquals("forbidden", reply.json().get("error").asText());
        });
        assertEquals("active", api.get("/" + existing).json().get("status").asText(), "nothing changed");

        TokenApi manager = new TokenApi(urls.getBase(), realm.getName(), () -> userToken("token-admin"));
        assertEquals(201, manager.post("", "{\"name\":\"by token-admin\"}").status(), "manage-clients can create");

        Http.Reply anonymous = Http.send(HttpRequest.newBuilder(
                        URI.create(urls.getBase() + "/admin/realms/" + realm.getName() + "/service-tokens"))
                .GET());
        assertEquals(401, anonymous.status());
    }

    private String userToken(String username) {
        Http.Reply reply =
                Http.send(HttpRequest.newBuilder(URI.create(realm.getBaseUrl() + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(Http.form(Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "admin-cli",
                                "username",
                                username,
                                "password",
                                username)))));
        assertEquals(200, reply.status(), reply.printable());
        return reply.json().get("access_token").asText();
    }
}

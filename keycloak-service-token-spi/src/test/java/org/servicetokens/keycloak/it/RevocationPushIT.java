package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * Pushes to applications, played by local endpoints that check each logout token as a sidecar does: every change
 * that alters what a token's JWTs say arrives, names exactly what it revokes (all of the token's JWTs, or those of
 * one secret, which the JWTs themselves name), carries the realm's issuer whichever host the admin used, is retried
 * from the database until the application takes it, shows up in Keycloak's log when refused, and is never held up by
 * another, slow application. Deletes made through Keycloak's own clients API (of a token, or of an application a
 * token allows) are pushed as the service-token API's are, and so is an application's new client ID.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class RevocationPushIT extends DemoRealmITBase {

    static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";

    PushReceiver receiver;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = new PushReceiver();
        application("receiver-app", receiver.url());
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void everyChangeIsPushedAndNamesExactlyWhatItRevokes() throws Exception {
        JsonNode created = api.create("pushed", null, "receiver-app", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String serviceAccount =
                realm.admin().clients().get(id).getServiceAccountUser().getId();
        String first = secretIdOf(clientId, created.get("clientSecret").asText());

        api.put("/" + id, "{\"name\":\"pushed, renamed\"}");
        expect(serviceAccount, id, "renamed", "none", List.of());
        api.put("/" + id, "{\"enabled\":false}");
        expect(serviceAccount, id, "disabled", "token", List.of(first));
        api.put("/" + id, "{\"enabled\":true}");
        expect(serviceAccount, id, "enabled", "none", List.of());
        String afterEnable = secretIdOf(clientId, created.get("clientSecret").asText());
        assertNotEquals(
                first, afterEnable, "a new generation: JWTs minted after enabling are not caught by the disable");

        String second = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT0S\"}")
                .json()
                .get("clientSecret")
                .asText();
        expect(serviceAccount, id, "rotated", "secret", List.of(afterEnable));
        String secondId = secretIdOf(clientId, second);
        String third = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT2S\"}")
                .json()
                .get("clientSecret")
                .asText();
        String thirdId = secretIdOf(clientId, third);
        assertEquals(
                secondId,
                secretIdOf(clientId, second),
                "the previous secret still works in its grace, with its own id");
        expect(serviceAccount, id, "grace-period-ended", "secret", List.of(secondId));
        assertNotEquals(secondId, thirdId);

        api.post("/" + id + "/extend", "{\"duration\":\"P10D\"}");
        expect(serviceAccount, id, "extended", "none", List.of());
        api.put("/" + id, "{\"applications\":[\"demo-app\"]}");
        expect(serviceAccount, id, "application-removed", "token", List.of(thirdId));
        api.put("/" + id, "{\"applications\":[\"demo-app\",\"receiver-app\"]}");
        expect(serviceAccount, id, "application-added", "none", List.of());
        assertNotEquals(
                thirdId, secretIdOf(clientId, third), "re-added: its JWTs from now on are not caught by the removal");

        api.delete("/" + id);
        expect(serviceAccount, id, "deleted", "token", null);
        assertNull(receiver.next(2_000), "one push per change");
    }

    @Test
    void keycloaksOwnDeletesArePushedLikeOurs() throws Exception {
        // A token deleted through the stock clients API: the same push as DELETE /service-tokens/{id}.
        JsonNode stockDeleted = api.create("deleted by the clients API", null, "receiver-app");
        String stockId = stockDeleted.get("id").asText();
        String stockAccount =
                realm.admin().clients().get(stockId).getServiceAccountUser().getId();
        String stockSecret = secretIdOf(
                stockDeleted.get("clientId").asText(),
                stockDeleted.get("clientSecret").asText());
        realm.admin().clients().get(stockId).remove();
        expect(stockAccount, stockId, "deleted", "token", List.of(stockSecret));

        // An application deleted through the stock clients API: dropped from the token and told, although its
        // client is gone by the time the push is sent; the token's next JWTs are a new generation. (An application
        // of its own: every other token of this realm that allows it would be told too.)
        application("doomed-app", receiver.url());
        JsonNode created = api.create("loses an application", null, "doomed-app", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        String serviceAccount =
                realm.admin().clients().get(id).getServiceAccountUser().getId();
        String before = secretIdOf(clientId, secret);
        String applicationId =
                realm.admin().clients().findByClientId("doomed-app").get(0).getId();
        realm.admin().clients().get(applicationId).remove();
        PushReceiver.Received told = receiver.next(10_000);
        assertNotNull(told, "a logout token for the deleted application arrived within 10 s");
        check(told.logoutToken(), "doomed-app", serviceAccount, id, "application-deleted", "token", List.of(before));
        List<String> left = new ArrayList<>();
        api.get("/" + id).json().get("applications").forEach(a -> left.add(a.asText()));
        assertEquals(List.of("demo-app"), left);
        assertFalse(
                realm.admin()
                        .clients()
                        .get(id)
                        .toRepresentation()
                        .getAttributes()
                        .get("service-token.application-ids")
                        .contains(applicationId),
                "dropped from what is stored, not only hidden");
        assertNotEquals(before, secretIdOf(clientId, secret), "JWTs minted after the drop are not caught by it");
        assertNull(receiver.next(2_000), "one push per change");
    }

    @Test
    void anApplicationRenamedThroughTheClientsApiIsRefreshedForEveryTokenThatAllowsIt() throws Exception {
        application("before-rename-app", receiver.url());
        JsonNode created = api.create("reaches a renamed application", null, "before-rename-app", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        String serviceAccount =
                realm.admin().clients().get(id).getServiceAccountUser().getId();
        assertTrue(audienceOf(clientId, secret).contains("before-rename-app"));

        // PUT /admin/realms/{realm}/clients/{id} with a new clientId: the tokens' aud changes, so sidecars must drop
        // what they cached (nothing is revoked).
        ClientRepresentation app =
                realm.admin().clients().findByClientId("before-rename-app").get(0);
        app.setClientId("after-rename-app");
        realm.admin().clients().get(app.getId()).update(app);
        PushReceiver.Received told = receiver.next(5_000);
        assertNotNull(told, "a refresh for the renamed application arrived within 5 s");
        check(told.logoutToken(), "after-rename-app", serviceAccount, id, "application-renamed", "none", List.of());
        List<String> audience = audienceOf(clientId, secret);
        assertTrue(
                audience.contains("after-rename-app") && !audience.contains("before-rename-app"), audience.toString());
        assertNull(receiver.next(2_000), "one push per change");

        // Any other change to the application pushes nothing.
        app.setDescription("not a rename");
        realm.admin().clients().get(app.getId()).update(app);
        assertNull(receiver.next(2_000), "only a new client ID is pushed");
    }

    private List<String> audienceOf(String clientId, String secret) {
        Http.Reply minted = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(200, minted.status(), minted.printable());
        return ServiceTokenLifecycleIT.audience(
                Http.jwtPayload(minted.json().get("access_token").asText()));
    }

    @Test
    void theIssuerIsTheRealmsWhicheverHostTheAdminUsed() throws Exception {
        // The realm's issuer is fixed by its Frontend URL (as by Keycloak's hostname option); the admin below comes in
        // through another name for the same server, which Keycloak in development mode would otherwise put in iss.
        frontendUrl(urls.getBase());
        try {
            String otherHost = urls.getBase().replace("localhost", "127.0.0.1");
            assertNotEquals(urls.getBase(), otherHost);
            String adminToken = Http.send(HttpRequest.newBuilder(
                                    URI.create(otherHost + "/realms/master/protocol/openid-connect/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(Http.form(Map.of(
                                    "grant_type",
                                    "password",
                                    "client_id",
                                    "admin-cli",
                                    "username",
                                    "admin",
                                    "password",
                                    "admin")))))
                    .json()
                    .get("access_token")
                    .asText();
            TokenApi viaOtherHost = new TokenApi(otherHost, realm.getName(), () -> adminToken);
            JsonNode created = viaOtherHost.create("issuer check", null, "receiver-app");
            String id = created.get("id").asText();
            String serviceAccount =
                    realm.admin().clients().get(id).getServiceAccountUser().getId();

            assertEquals(
                    200,
                    viaOtherHost
                            .post("/" + id + "/rotate", "{\"gracePeriod\":\"PT1S\"}")
                            .status());
            expect(serviceAccount, id, "grace-period-ended", "secret", null); // sent by a background job
            assertEquals(204, viaOtherHost.delete("/" + id).status());
            expect(serviceAccount, id, "deleted", "token", null); // sent for the admin's request
        } finally {
            frontendUrl("");
        }
    }

    @Test
    void aRefusedOrUndeliveredPushIsRetriedFromTheDatabaseAndTheRefusalIsLogged() throws Exception {
        JsonNode refused = api.create("refused twice", null, "receiver-app");
        String serviceAccount = realm.admin()
                .clients()
                .get(refused.get("id").asText())
                .getServiceAccountUser()
                .getId();
        receiver.refuseNext(2, "wrong_issuer");
        long sent = System.nanoTime();
        api.delete("/" + refused.get("id").asText());
        PushReceiver.Received delivered = receiver.next(20_000);
        assertNotNull(delivered, "delivered on the third attempt");
        System.out.println("Push refused twice, then delivered after " + (delivered.atNanos() - sent) / 1_000_000
                + " ms (" + receiver.posts() + " attempts)");
        check(delivered.logoutToken(), serviceAccount, refused.get("id").asText(), "deleted", "token", null);
        String log = Files.readString(ServiceTokenServerConfig.SERVER_LOG);
        assertTrue(
                log.contains("Refused by the application (HTTP 400 wrong_issuer)")
                        && log.contains(refused.get("clientId").asText()),
                "Keycloak's log says who refused what, and why");

        JsonNode undelivered = api.create("application down", null, "receiver-app");
        receiver.stop();
        api.put("/" + undelivered.get("id").asText(), "{\"enabled\":false}");
        Thread.sleep(3_000);
        receiver.restart();
        PushReceiver.Received late = receiver.next(20_000);
        assertNotNull(late, "the application was down for 3 s; the push waited in the database and arrived");
        check(
                late.logoutToken(),
                realm.admin()
                        .clients()
                        .get(undelivered.get("id").asText())
                        .getServiceAccountUser()
                        .getId(),
                undelivered.get("id").asText(),
                "disabled",
                "token",
                null);
    }

    @Test
    void aSlowApplicationDelaysNoOtherApplicationsPush() throws Exception {
        try (TrickleServer slow = new TrickleServer()) {
            application("slow-app", slow.url());
            try {
                pushWhileAnotherApplicationTrickles(slow);
            } finally {
                application("slow-app", ""); // its owed retries are dropped
            }
        }
    }

    private void pushWhileAnotherApplicationTrickles(TrickleServer slow) throws Exception {
        List<Long> fastMillis = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode token = api.create("slow and fast " + i, null, "slow-app", "receiver-app");
            long deleted = System.nanoTime();
            api.delete("/" + token.get("id").asText());
            PushReceiver.Received fast = receiver.next(10_000);
            assertNotNull(fast, "the other application's push arrived");
            fastMillis.add((fast.atNanos() - deleted) / 1_000_000);
            long connected = System.currentTimeMillis() + 2_000;
            while (slow.acceptedAtNanos().size() <= i && System.currentTimeMillis() < connected) {
                Thread.sleep(10);
            }
            assertTrue(slow.acceptedAtNanos().size() > i, "the slow application was being pushed to at the same time");
        }
        long deadline = System.currentTimeMillis() + 15_000;
        while (slow.heldMillis().size() < 3 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        System.out.println(
                "Pushes to the other application arrived after " + fastMillis + " ms while the slow one trickled;"
                        + " Keycloak cut each slow attempt after " + slow.heldMillis() + " ms");
        assertTrue(fastMillis.stream().allMatch(ms -> ms < 2_000), "not held up: " + fastMillis);
        assertTrue(slow.heldMillis().size() >= 3, "every slow attempt was cut off");
        assertTrue(
                slow.heldMillis().stream().allMatch(ms -> ms < 8_000),
                "each within its total bound: " + slow.heldMillis());
    }

    private void frontendUrl(String url) {
        RealmRepresentation rep = new RealmRepresentation();
        rep.setAttributes(Map.of("frontendUrl", url));
        realm.admin().update(rep);
    }

    private void application(String clientId, String logoutUrl) {
        var found = realm.admin().clients().findByClientId(clientId);
        if (found.isEmpty()) {
            ClientRepresentation app = new ClientRepresentation();
            app.setClientId(clientId);
            app.setPublicClient(false);
            app.setAttributes(Map.of("backchannel.logout.url", logoutUrl));
            realm.admin().clients().create(app).close();
        } else {
            ClientRepresentation app = found.get(0);
            app.getAttributes().put("backchannel.logout.url", logoutUrl);
            realm.admin().clients().get(app.getId()).update(app);
        }
    }

    /** The {@code service_token.secret} of a JWT minted with this secret now. */
    private String secretIdOf(String clientId, String secret) {
        Http.Reply minted = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
        assertEquals(200, minted.status(), minted.printable());
        String secretId = Http.jwtPayload(minted.json().get("access_token").asText())
                .get("service_token")
                .get("secret")
                .asText();
        assertTrue(secretId.matches("[A-Za-z0-9_-]{12}"), secretId);
        return secretId;
    }

    private void expect(String serviceAccount, String tokenId, String reason, String revoke, List<String> secrets)
            throws Exception {
        PushReceiver.Received received = receiver.next(10_000);
        assertNotNull(received, "a logout token for '" + reason + "' arrived within 10 s");
        check(received.logoutToken(), serviceAccount, tokenId, reason, revoke, secrets);
    }

    private void check(
            String jwt, String serviceAccount, String tokenId, String reason, String revoke, List<String> secrets)
            throws Exception {
        check(jwt, "receiver-app", serviceAccount, tokenId, reason, revoke, secrets);
    }

    /** The logout token as OIDC Back-Channel Logout 1.0 §2.4 and a sidecar require it, plus our claim. */
    private void check(
            String jwt,
            String audience,
            String serviceAccount,
            String tokenId,
            String reason,
            String revoke,
            List<String> secrets)
            throws Exception {
        JsonNode header = verifySignature(jwt);
        assertEquals("logout+jwt", header.get("typ").asText());
        JsonNode claims = Http.jwtPayload(jwt);
        assertEquals(realm.getBaseUrl(), claims.get("iss").asText(), "the realm's issuer");
        assertEquals(audience, ServiceTokenLifecycleIT.audience(claims).get(0));
        assertEquals(serviceAccount, claims.get("sub").asText());
        assertTrue(claims.get("events").get(EVENT).isObject());
        assertFalse(claims.has("nonce"));
        assertEquals(
                "Logout",
                claims.get("typ").asText(),
                "Keycloak's logout-token type, which the sidecar requires when present");
        long now = Instant.now().getEpochSecond();
        assertTrue(Math.abs(claims.get("iat").asLong() - now) < 15, "signed just now");
        assertTrue(claims.get("exp").asLong() > now, "short-lived but valid");
        assertFalse(claims.get("jti").asText().isEmpty());
        JsonNode st = claims.get("service_token");
        assertEquals(tokenId, st.get("id").asText());
        assertEquals(reason, st.get("reason").asText());
        assertEquals(revoke, st.get("revoke").asText(), reason);
        assertTrue(Math.abs(st.get("cutoff").asLong() - now) < 15, "the change's time");
        if (secrets != null) {
            List<String> named = new ArrayList<>();
            st.get("secrets").forEach(s -> named.add(s.asText()));
            if (revoke.equals("token")) {
                assertTrue(named.containsAll(secrets), reason + ": " + named);
            } else {
                assertEquals(secrets, named, reason);
            }
        }
    }

    private JsonNode verifySignature(String jwt) throws Exception {
        String[] parts = jwt.split("\\.");
        JsonNode header = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertEquals("RS256", header.get("alg").asText());
        JsonNode jwks = Http.send(
                        HttpRequest.newBuilder(URI.create(realm.getBaseUrl() + "/protocol/openid-connect/certs"))
                                .GET())
                .json();
        PublicKey key = null;
        for (JsonNode jwk : jwks.get("keys")) {
            if (jwk.get("kid").asText().equals(header.get("kid").asText())) {
                key = KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(
                                new BigInteger(
                                        1,
                                        Base64.getUrlDecoder()
                                                .decode(jwk.get("n").asText())),
                                new BigInteger(
                                        1,
                                        Base64.getUrlDecoder()
                                                .decode(jwk.get("e").asText()))));
            }
        }
        assertNotNull(key, "the kid is in the realm JWKS");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(key);
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])), "signed by the realm key");
        return header;
    }
}

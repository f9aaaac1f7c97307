package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * The provider pushes an OIDC back-channel logout token to each allowed application when a token must stop:
 * delete, disable, rotation without grace, the end of a grace period. The test plays the application: a local
 * HTTP endpoint that checks each token's signature against the realm JWKS, as the sidecar does.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class RevocationPushIT {

    @InjectAdminClient
    Keycloak admin;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    @InjectRealm(fromJson = "/demo-realm.json")
    ManagedRealm realm;

    HttpServer receiver;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    TokenApi api;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/backchannel-logout", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String pair : form.split("&")) {
                if (pair.startsWith("logout_token=")) {
                    received.add(URLDecoder.decode(pair.substring("logout_token=".length()), StandardCharsets.UTF_8));
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        if (realm.admin().clients().findByClientId("receiver-app").isEmpty()) {
            ClientRepresentation app = new ClientRepresentation();
            app.setClientId("receiver-app");
            app.setPublicClient(false);
            app.setAttributes(Map.of("backchannel.logout.url",
                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/backchannel-logout"));
            realm.admin().clients().create(app).close();
        } else {
            var app = realm.admin().clients().findByClientId("receiver-app").get(0);
            app.getAttributes().put("backchannel.logout.url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/backchannel-logout");
            realm.admin().clients().get(app.getId()).update(app);
        }
        api = new TokenApi(urls.getBase(), realm.getName(), () -> admin.tokenManager().getAccessTokenString());
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void deleteDisableRotateAndGraceEndArePushedAsSignedLogoutTokens() throws Exception {
        JsonNode created = api.create("pushed", null, "receiver-app", "demo-app");
        String id = created.get("id").asText();
        String serviceAccount = realm.admin().clients().get(id).getServiceAccountUser().getId();

        api.put("/" + id, "{\"enabled\":false}");
        assertLogoutToken(serviceAccount, id, "disabled");
        api.put("/" + id, "{\"enabled\":true}");

        api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT0S\"}");
        assertLogoutToken(serviceAccount, id, "rotated");

        api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT2S\"}");
        assertLogoutToken(serviceAccount, id, "grace-period-ended");

        api.delete("/" + id);
        assertLogoutToken(serviceAccount, id, "deleted");
        assertEquals(null, received.poll(2, TimeUnit.SECONDS), "one push per event");
    }

    private void assertLogoutToken(String serviceAccount, String tokenId, String reason) throws Exception {
        String jwt = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(jwt, "a logout token for '" + reason + "' arrived within 10 s");
        verifySignature(jwt);
        JsonNode claims = Http.jwtPayload(jwt);
        assertEquals(realm.getBaseUrl(), claims.get("iss").asText());
        assertEquals("receiver-app", ServiceTokenLifecycleIT.audience(claims).get(0));
        assertEquals(serviceAccount, claims.get("sub").asText());
        assertTrue(claims.get("events").has("http://schemas.openid.net/event/backchannel-logout"));
        assertEquals("Logout", claims.get("typ").asText());
        assertFalse(claims.has("nonce"));
        assertTrue(Math.abs(claims.get("iat").asLong() - Instant.now().getEpochSecond()) < 15, "iat is the fresh cut-off");
        assertTrue(claims.get("exp").asLong() > Instant.now().getEpochSecond(), "short-lived but valid");
        assertNotNull(claims.get("jti"));
        assertEquals(tokenId, claims.get("service_token").get("id").asText());
        assertEquals(reason, claims.get("service_token").get("reason").asText());
    }

    private void verifySignature(String jwt) throws Exception {
        String[] parts = jwt.split("\\.");
        JsonNode header = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertEquals("RS256", header.get("alg").asText());
        // Explicitly typed as OIDC Back-Channel Logout 1.0 §2.4 recommends, like Keycloak's own logout tokens:
        // receivers that check the type (the sidecar does) must not mistake it for, or take it from, an access token.
        assertEquals("logout+jwt", header.get("typ").asText());
        JsonNode jwks = Http.send(HttpRequest.newBuilder(URI.create(realm.getBaseUrl() + "/protocol/openid-connect/certs")).GET()).json();
        PublicKey key = null;
        for (JsonNode jwk : jwks.get("keys")) {
            if (jwk.get("kid").asText().equals(header.get("kid").asText())) {
                key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                        new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("n").asText())),
                        new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("e").asText()))));
            }
        }
        assertNotNull(key, "the kid is in the realm JWKS");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(key);
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])), "signed by the realm key");
    }
}

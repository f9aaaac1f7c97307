package org.servicetokens.containers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few Keycloak admin calls the container tests make (admin/admin in master; service tokens in realm demo),
 * over plain HTTP with the JDK client. A created token's secret is kept in the returned record only: never printed.
 */
final class Admin {

    /** A created service token: its id (for DELETE), client ID and secret. */
    record Token(String id, String clientId, String secret) {
        @Override
        public String toString() {
            return "Token[" + clientId + "]";
        }
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String keycloakUrl;

    /** {@code keycloakUrl}: the server's base URL as the test reaches it, e.g. {@code http://localhost:32771}. */
    Admin(String keycloakUrl) {
        this.keycloakUrl = keycloakUrl;
    }

    /** Creates a token allowed to reach {@code demo-app}; fails on any answer but 201. */
    Token createToken(String name) throws IOException, InterruptedException {
        HttpResponse<String> r =
                send(HttpRequest.newBuilder(URI.create(keycloakUrl + "/admin/realms/demo/service-tokens"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"name\":\"" + name + "\",\"duration\":\"P1D\",\"applications\":[\"demo-app\"]}")));
        if (r.statusCode() != 201) {
            throw new AssertionError("creating a service token: " + r.statusCode());
        }
        return new Token(field(r.body(), "id"), field(r.body(), "clientId"), field(r.body(), "clientSecret"));
    }

    /** Deletes a token (Keycloak then pushes the revocation to the sidecar); fails unless 204. */
    void deleteToken(Token token) throws IOException, InterruptedException {
        HttpResponse<String> r =
                send(HttpRequest.newBuilder(URI.create(keycloakUrl + "/admin/realms/demo/service-tokens/" + token.id()))
                        .DELETE());
        if (r.statusCode() != 204) {
            throw new AssertionError("deleting the service token: " + r.statusCode());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(
                request.header("Authorization", "Bearer " + adminToken())
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String adminToken() throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(keycloakUrl + "/realms/master/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "grant_type=password&client_id=admin-cli&username=admin&password=admin"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("admin token: " + r.statusCode());
        }
        return field(r.body(), "access_token");
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(json);
        if (!m.find()) {
            throw new AssertionError("no \"" + name + "\" in Keycloak's answer");
        }
        return m.group(1);
    }
}

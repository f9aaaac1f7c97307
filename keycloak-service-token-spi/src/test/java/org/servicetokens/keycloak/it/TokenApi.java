package org.servicetokens.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.function.Supplier;

/** The service-token admin API as a script would call it: a bearer token and JSON. */
public final class TokenApi {

    private final String baseUrl;
    private final Supplier<String> bearer;

    public TokenApi(String serverUrl, String realm, Supplier<String> bearer) {
        this.baseUrl = serverUrl + "/admin/realms/" + realm + "/service-tokens";
        this.bearer = bearer;
    }

    public Http.Reply get(String path) {
        return Http.send(request(path).GET());
    }

    public Http.Reply post(String path, String json) {
        return Http.send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Http.Reply put(String path, String json) {
        return Http.send(request(path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Http.Reply delete(String path) {
        return Http.send(request(path).DELETE());
    }

    /** Creates a token and returns the one response that carries its secret. */
    public JsonNode create(String name, String duration, String... applications) {
        ObjectNode body = Http.JSON.createObjectNode().put("name", name);
        if (duration != null) {
            body.put("duration", duration);
        }
        var apps = body.putArray("applications");
        for (String application : applications) {
            apps.add(application);
        }
        Http.Reply reply = post("", body.toString());
        if (reply.status() != 201) {
            throw new AssertionError("create failed: " + reply.status() + " " + reply.printable());
        }
        return reply.json();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + bearer.get());
    }
}

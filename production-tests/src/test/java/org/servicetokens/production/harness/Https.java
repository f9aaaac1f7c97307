package org.servicetokens.production.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/** JSON over HTTPS with the harness's CA as the only trust, hostname verification on (the JDK's default). */
public final class Https {

    public static final ObjectMapper JSON = new ObjectMapper();

    /** A status and a body; {@link #json()} parses it. */
    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    public final HttpClient client;

    public Https(SSLContext trust) {
        this.client = HttpClient.newBuilder()
                .sslContext(trust)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public Response send(HttpRequest.Builder request) throws IOException {
        try {
            HttpResponse<String> response =
                    client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public Response json(String method, String url, Supplier<String> bearer, Object body) throws IOException {
        String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + bearer.get())
                .header("Accept", "application/json")
                .method(
                        method,
                        text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (text != null) {
            request.header("Content-Type", "application/json");
        }
        return send(request);
    }

    public Response form(String url, String basicUser, String basicPassword, String... pairs) throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(enc(pairs[i])).append('=').append(enc(pairs[i + 1]));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (basicUser != null) {
            // RFC 6749 §2.3.1: both parts form-url-encoded before Base64.
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((enc(basicUser) + ":" + enc(basicPassword))
                                            .getBytes(StandardCharsets.UTF_8)));
        }
        return send(request);
    }

    /** A client-credentials exchange of a service token at {@code base} (a node or the load balancer). */
    public Response exchange(String base, String clientId, String secret) throws IOException {
        return form(
                base + "/realms/" + Cluster.REALM + "/protocol/openid-connect/token",
                clientId,
                secret,
                "grant_type",
                "client_credentials");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

package org.servicetokens.production.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The provider's admin API at one base URL ({@code /admin/realms/{realm}/service-tokens}). */
public final class TokenApi {

    private final Https https;
    private final String base;
    private final Supplier<String> bearer;

    TokenApi(Https https, String base, Supplier<String> bearer) {
        this.https = https;
        this.base = base;
        this.bearer = bearer;
    }

    /** Creates a token; the answer holds {@code id}, {@code clientId}, {@code clientSecret}, {@code expiresAt}. */
    public JsonNode create(String name, String duration, List<String> applications) throws IOException {
        Https.Response r = https.json(
                "POST", base, bearer, Map.of("name", name, "duration", duration, "applications", applications));
        if (r.status() != 201) {
            throw new IllegalStateException("create: " + r.status() + " " + r.body());
        }
        return r.json();
    }

    public Https.Response call(String method, String path, Object body) throws IOException {
        return https.json(method, base + path, bearer, body);
    }
}

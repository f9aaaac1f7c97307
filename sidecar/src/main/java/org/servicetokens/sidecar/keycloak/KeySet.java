package org.servicetokens.sidecar.keycloak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The usable signing keys of one JWKS fetch. Only RSA/EC verification keys for RS256, PS256 and ES256 get in;
 * private parts are dropped. {@link #parse} refuses a set with no usable key (a JWTAuth built
 * from zero keys accepts unsigned tokens), so an empty {@code KeySet} can never exist.
 */
public record KeySet(long version, List<JsonObject> keys, Set<String> kids) {

    public static final Set<String> ALGORITHMS = Set.of("RS256", "PS256", "ES256");
    private static final List<String> PRIVATE_PARTS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

    public static KeySet parse(JsonObject jwks, long version) {
        JsonArray all = jwks == null ? null : jwks.getJsonArray("keys");
        List<JsonObject> usable = new ArrayList<>();
        Set<String> kids = new HashSet<>();
        if (all != null) {
            for (Object o : all) {
                if (!(o instanceof JsonObject key)) {
                    continue;
                }
                JsonObject clean = usable(key);
                if (clean != null) {
                    usable.add(clean);
                    if (clean.getString("kid") != null) {
                        kids.add(clean.getString("kid"));
                    }
                }
            }
        }
        if (usable.isEmpty()) {
            throw new IllegalStateException("JWKS has no usable RS256/PS256/ES256 signing key");
        }
        return new KeySet(version, List.copyOf(usable), Set.copyOf(kids));
    }

    private static JsonObject usable(JsonObject key) {
        String use = key.getValue("use") instanceof String s ? s : null;
        if (key.containsKey("use") && !"sig".equals(use)) {
            return null;
        }
        String kty = key.getValue("kty") instanceof String s ? s : "";
        Object rawAlg = key.getValue("alg");
        if (rawAlg != null && !(rawAlg instanceof String)) {
            return null;
        }
        String alg = (String) rawAlg;
        if (alg == null) {
            // Keycloak always names the algorithm; without one, assume the only safe choice for the key type.
            alg = "RSA".equals(kty) ? "RS256" : "EC".equals(kty) ? "ES256" : null;
        }
        if (alg == null || !ALGORITHMS.contains(alg)) {
            return null;
        }
        if (alg.startsWith("ES") ? !"EC".equals(kty) || !"P-256".equals(key.getValue("crv")) : !"RSA".equals(kty)) {
            return null;
        }
        if (key.containsKey("kid") && !(key.getValue("kid") instanceof String)) {
            return null;
        }
        JsonObject clean = key.copy().put("alg", alg);
        PRIVATE_PARTS.forEach(clean::remove);
        try {
            new JWK(clean);
        } catch (RuntimeException e) {
            return null;
        }
        return clean;
    }
}

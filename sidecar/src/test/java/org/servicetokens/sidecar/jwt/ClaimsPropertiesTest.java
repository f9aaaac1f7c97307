package org.servicetokens.sidecar.jwt;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.support.Property;

/**
 * The claim reader ({@link Claims#toIdentity}) over generated claim sets: a Keycloak access token whose claims are
 * replaced, one by one, by arbitrary JSON values.
 *
 * <p>Property: for every claim set that passed the verifier's own checks before it ({@code exp} a number,
 * {@code iat} and {@code nbf} numbers when present), reading it either gives an {@link Identity} or a
 * {@link AuthenticationFailure}, never another exception; and the identity is a service only with the service claims
 * Keycloak guarantees: a {@code service_token} object with a non-empty string {@code id}, or a {@code client_id}
 * claim equal to {@code azp}. A name ({@code preferred_username}) never makes a service.
 */
class ClaimsPropertiesTest {

    private static final String[] CLAIMS = {
        "sub",
        "iat",
        "exp",
        "azp",
        "client_id",
        "service_token",
        "preferred_username",
        "email",
        "email_verified",
        "realm_access",
        "resource_access",
        "groups",
        "sid",
        "typ",
        "aud"
    };

    /** Claim sets that once broke the property. */
    static final List<String> EXAMPLES = List.of(
            // A human named like a service account was typed as a service.
            "{\"sub\":\"u\",\"iat\":1,\"exp\":9999999999,\"preferred_username\":\"service-account-x\"}",
            // A service_token claim whose id is not a string made a service.
            "{\"sub\":\"u\",\"iat\":1,\"exp\":9999999999,\"service_token\":{\"id\":[true]}}");

    @Test
    void arbitraryClaimValuesNeverThrowAndNeverMakeAServiceWithoutServiceClaims() {
        Property.forAll(
                "claims → identity",
                Property.tries(1000),
                ClaimsPropertiesTest::claims,
                JsonObject::encode,
                EXAMPLES.stream().map(JsonObject::new).toList(),
                c -> {
                    if (!(c.getValue("exp") instanceof Number) || !timeOrAbsent(c, "iat") || !timeOrAbsent(c, "nbf")) {
                        return; // refused by the verifier before the claims are read
                    }
                    Identity id;
                    try {
                        id = Claims.toIdentity(c);
                    } catch (AuthenticationFailure e) {
                        return;
                    } catch (RuntimeException e) {
                        fail("threw " + e);
                        return;
                    }
                    if (id.type() == Identity.Type.SERVICE) {
                        boolean serviceToken = c.getValue("service_token") instanceof JsonObject st
                                && st.getValue("id") instanceof String sid
                                && !sid.isEmpty();
                        boolean serviceAccount = c.getValue("client_id") instanceof String cid
                                && !cid.isEmpty()
                                && cid.equals(c.getValue("azp"));
                        assertTrue(serviceToken || serviceAccount, "a service without the service claims");
                    }
                });
    }

    private static boolean timeOrAbsent(JsonObject c, String name) {
        return !c.containsKey(name) || c.getValue(name) instanceof Number;
    }

    static JsonObject claims(Random r) {
        long now = System.currentTimeMillis() / 1000;
        JsonObject c = new JsonObject()
                .put("iss", "https://kc/realms/demo")
                .put("aud", "demo-app")
                .put("azp", "some-client")
                .put("sub", "user-1")
                .put("typ", "Bearer")
                .put("iat", now)
                .put("exp", now + 300)
                .put("preferred_username", "alice")
                .put("email", "alice@example.com")
                .put("realm_access", new JsonObject().put("roles", new JsonArray().add("user")));
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            String name = Property.pick(r, CLAIMS);
            Object v = value(r, 0);
            if (v == null && r.nextBoolean()) {
                c.remove(name);
            } else {
                c.put(name, v);
            }
        }
        return c;
    }

    /** Any JSON value, biased towards the shapes the reader looks for. */
    static Object value(Random r, int depth) {
        switch (r.nextInt(depth > 2 ? 6 : 9)) {
            case 0:
                return null;
            case 1:
                return Property.pick(
                        r, "", "x", "service-account-ci", "corpus-bot", "some-client", "a,b", "/ops", "\u00e9");
            case 2:
                return Property.pick(r, 0, -1, 1, 42, Long.MAX_VALUE, 1.5, 1e300);
            case 3:
                return r.nextBoolean();
            case 4:
                return Property.pick(r, "true", "false", "1");
            case 5:
                return new JsonObject()
                        .put("id", Property.pick(r, "", "id-1", 5))
                        .put("name", Property.pick(r, "bot", 7));
            case 6:
                JsonArray a = new JsonArray();
                for (int i = r.nextInt(3); i > 0; i--) {
                    a.add(value(r, depth + 1));
                }
                return a;
            default:
                JsonObject o = new JsonObject();
                for (int i = r.nextInt(3); i > 0; i--) {
                    o.put(
                            Property.pick(r, "id", "name", "roles", "demo-app", "x,demo-app", "client_id"),
                            value(r, depth + 1));
                }
                return o;
        }
    }
}

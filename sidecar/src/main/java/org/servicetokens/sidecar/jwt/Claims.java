package org.servicetokens.sidecar.jwt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.servicetokens.common.NetworkRange;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.util.SharedValues;

/**
 * Keycloak access-token claims → {@link Identity}. Optional claims may be absent (or JSON {@code null}); a claim
 * the sidecar reads that is present with another JSON type than Keycloak writes is refused with
 * {@link AuthenticationFailure} reason {@code malformed_<claim>}, never guessed at: a string where a list belongs is not
 * a one-element list, a number is not a name. {@code sub} must be a non-empty string ({@code missing_subject}):
 * revocations name subjects, so a token without one could never be revoked. The identity carries no token: the
 * verifier caches it as is and hands each request a copy with that request's token ({@link Identity#forToken}).
 *
 * <p>The type is {@link Identity.Type#SERVICE} only on evidence Keycloak itself guarantees (see
 * {@link #isService}); never from {@code preferred_username}, which users and identity-provider mappers choose.
 */
final class Claims {

    private Claims() {}

    /**
     * @throws AuthenticationFailure {@code missing_subject}, {@code missing_iat}, or {@code malformed_<claim>} for
     *     {@code sid}, {@code azp}, {@code client_id}, {@code service_token}, {@code preferred_username}, {@code email},
     *     {@code email_verified}, {@code realm_access}, {@code resource_access}, {@code roles}, {@code groups}
     */
    static Identity toIdentity(JsonObject c) {
        if (!(c.getValue("sub") instanceof String subject) || subject.isEmpty()) {
            throw AuthenticationFailure.rejected("missing_subject");
        }
        // Revocations are "issued before T": a token that cannot say when it was issued cannot be ordered against them.
        if (!(c.getValue("iat") instanceof Number iat)) {
            throw AuthenticationFailure.rejected("missing_iat");
        }
        String sid = optionalString(c, "sid");
        String azp = optionalString(c, "azp");
        String clientIdClaim = optionalString(c, "client_id");
        JsonObject serviceToken = optionalObject(c, "service_token");
        if (serviceToken != null && !(serviceToken.getValue("id") instanceof String id && !id.isEmpty())) {
            throw AuthenticationFailure.rejected("malformed_service_token");
        }
        String tokenName =
                serviceToken == null ? null : optionalString(serviceToken, "name", "malformed_service_token");
        String username = optionalString(c, "preferred_username");
        String email = optionalString(c, "email");
        Object verified = c.getValue("email_verified");
        if (verified != null && !(verified instanceof Boolean)) {
            throw AuthenticationFailure.rejected("malformed_email_verified");
        }
        JsonObject realm = optionalObject(c, "realm_access");
        List<String> roles = realm == null ? List.of() : strings(realm.getValue("roles"), "malformed_roles");
        Map<String, List<String>> clientRoles = new LinkedHashMap<>();
        JsonObject resourceAccess = optionalObject(c, "resource_access");
        if (resourceAccess != null) {
            for (String client : resourceAccess.fieldNames()) {
                if (!(resourceAccess.getValue(client) instanceof JsonObject entry)) {
                    throw AuthenticationFailure.rejected("malformed_resource_access");
                }
                clientRoles.put(client, strings(entry.getValue("roles"), "malformed_roles"));
            }
        }
        List<NetworkRange> networks = serviceToken == null ? null : networks(serviceToken);
        Identity identity = new Identity(
                isService(serviceToken, clientIdClaim, azp) ? Identity.Type.SERVICE : Identity.Type.USER,
                subject,
                username,
                // Only an address Keycloak verified is identity: anyone can type mallory@corp.com into a profile.
                Boolean.TRUE.equals(verified) ? email : null,
                SharedValues.of(azp),
                serviceToken == null ? null : serviceToken.getString("id"),
                tokenName,
                serviceToken == null ? null : optionalString(serviceToken, "secret", "malformed_service_token"),
                // Names a realm administrator chose, the same in many tokens: one instance each (the cache holds many).
                SharedValues.of(roles),
                SharedValues.of(Map.copyOf(clientRoles)),
                SharedValues.of(strings(c.getValue("groups"), "malformed_groups")),
                iat.longValue(),
                ((Number) c.getValue("exp")).longValue(),
                sid,
                null);
        return networks == null ? identity : identity.withNetworks(networks);
    }

    /**
     * The {@code service_token.networks} claim: the token's allowed CIDR ranges (null when absent: any address). Not a
     * list of strings, or a range that does not parse: {@code malformed_service_token} (the token is refused rather
     * than its limit ignored). An empty list allows no address.
     */
    static List<NetworkRange> networks(JsonObject serviceToken) {
        if (!serviceToken.containsKey("networks")) {
            return null;
        }
        if (!(serviceToken.getValue("networks") instanceof JsonArray)) {
            throw AuthenticationFailure.rejected("malformed_service_token");
        }
        List<String> texts = strings(serviceToken.getValue("networks"), "malformed_service_token");
        if (texts.size() > 50) {
            throw AuthenticationFailure.rejected("malformed_service_token");
        }
        List<NetworkRange> ranges = new ArrayList<>(texts.size());
        for (String text : texts) {
            try {
                ranges.add(NetworkRange.parse(text));
            } catch (IllegalArgumentException malformed) {
                throw AuthenticationFailure.rejected("malformed_service_token");
            }
        }
        return List.copyOf(ranges);
    }

    /**
     * A service is what only a client_credentials grant produces: the {@code service_token} claim (written by this
     * project's mapper for service-token clients, whose every user flow is off), or Keycloak's own service-account
     * evidence: the {@code client_id} claim (the {@code service_account} scope's mapper copies it from a session note
     * Keycloak sets in the client_credentials grant) naming the very client the token was issued to ({@code azp}).
     * User tokens carry neither; only an admin-configured mapper could add such claims.
     */
    static boolean isService(JsonObject serviceToken, String clientIdClaim, String azp) {
        return serviceToken != null || (clientIdClaim != null && !clientIdClaim.isEmpty() && clientIdClaim.equals(azp));
    }

    private static String optionalString(JsonObject o, String key) {
        return optionalString(o, key, "malformed_" + key);
    }

    private static String optionalString(JsonObject o, String key, String reason) {
        Object v = o.getValue(key);
        if (v != null && !(v instanceof String)) {
            throw AuthenticationFailure.rejected(reason);
        }
        return (String) v;
    }

    private static JsonObject optionalObject(JsonObject o, String key) {
        Object v = o.getValue(key);
        if (v != null && !(v instanceof JsonObject)) {
            throw AuthenticationFailure.rejected("malformed_" + key);
        }
        return (JsonObject) v;
    }

    /** Absent → empty; otherwise a JSON array of strings, or the token is refused with {@code reason}. */
    private static List<String> strings(Object v, String reason) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof JsonArray a)) {
            throw AuthenticationFailure.rejected(reason);
        }
        List<String> out = new ArrayList<>(a.size());
        for (Object o : a) {
            if (!(o instanceof String s)) {
                throw AuthenticationFailure.rejected(reason);
            }
            out.add(s);
        }
        return List.copyOf(out);
    }
}

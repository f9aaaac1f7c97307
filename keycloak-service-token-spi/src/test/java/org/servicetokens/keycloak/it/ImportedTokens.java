package org.servicetokens.keycloak.it;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * Service tokens as a whole-realm import brings them in: the one path besides the service-token API that may set
 * their stored state (Keycloak's clients API and partial imports are refused for them), so tests use it to make
 * tokens that are old, or tampered with, without waiting or reaching into the database.
 */
final class ImportedTokens {

    private ImportedTokens() {}

    /** A realm {@code name} to import whole, enabled, recording client logins and their failures as events. */
    static RealmRepresentation realm(String name) {
        RealmRepresentation rep = new RealmRepresentation();
        rep.setRealm(name);
        rep.setEnabled(true);
        rep.setEventsEnabled(true);
        rep.setEnabledEventTypes(List.of("CLIENT_LOGIN", "CLIENT_LOGIN_ERROR"));
        return rep;
    }

    /** A token client as our API makes it, with {@code secret}'s hash, created 2023-11-14, plus {@code overrides}. */
    static ClientRepresentation tokenClient(String clientId, String secret, Map<String, String> overrides) {
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId(clientId);
        client.setName(clientId);
        client.setEnabled(true);
        client.setProtocol("openid-connect");
        client.setPublicClient(false);
        client.setClientAuthenticatorType("service-token");
        client.setServiceAccountsEnabled(true);
        client.setStandardFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setFullScopeAllowed(false);
        Map<String, String> attributes = new HashMap<>();
        attributes.put("service-token", "true");
        attributes.put("service-token.secret-hash", TokenSecrets.hash(secret));
        attributes.put("service-token.created-at", "1700000000");
        attributes.putAll(overrides);
        client.setAttributes(attributes);
        ProtocolMapperRepresentation mapper = new ProtocolMapperRepresentation();
        mapper.setName("service token claims");
        mapper.setProtocol("openid-connect");
        mapper.setProtocolMapper("service-token-claims-mapper");
        mapper.setConfig(Map.of("access.token.claim", "true", "introspection.token.claim", "true"));
        client.setProtocolMappers(List.of(mapper));
        return client;
    }

    /** The enabled service-account user a token client needs. */
    static UserRepresentation serviceAccount(String clientId) {
        UserRepresentation user = new UserRepresentation();
        user.setUsername("service-account-" + clientId);
        user.setEnabled(true);
        user.setServiceAccountClientId(clientId);
        return user;
    }
}

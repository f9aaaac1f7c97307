package org.servicetokens.keycloak.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;

/**
 * The names a service token carries inside Keycloak, shared by the model (which checks a token's shape), the
 * authenticator, the claims mapper and the revocation pushes. They live here, on the ground floor, so the model
 * can check a client's shape without importing the providers that register those names.
 */
public final class ServiceTokenProtocol {

    /** The client authenticator type ({@code clientAuthenticatorType}) of every service token's client. */
    public static final String AUTHENTICATOR_ID = "service-token";
    /** The protocol-mapper type that puts a token's identity into its JWTs. */
    public static final String CLAIMS_MAPPER_ID = "service-token-claims-mapper";
    /** The JWT claim {@code {id, name, secret}} naming the service token (and the secret) that minted the JWT. */
    public static final String CLAIM = "service_token";

    private ServiceTokenProtocol() {}

    /**
     * The session attribute through which the authenticator tells the claims mapper which secret authenticated the
     * token request (one token request, one session).
     *
     * @param tokenId the token client's internal id
     */
    public static String secretIdAttribute(String tokenId) {
        return "service-token.secret-id." + tokenId;
    }

    /** A new claims mapper model for a token client: in access tokens, lightweight access tokens and introspection. */
    public static ProtocolMapperModel claimsMapper() {
        ProtocolMapperModel mapper = new ProtocolMapperModel();
        mapper.setName("service token claims");
        mapper.setProtocolMapper(CLAIMS_MAPPER_ID);
        mapper.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        Map<String, String> config = new LinkedHashMap<>();
        config.put(OIDCAttributeMapperHelper.INCLUDE_IN_ACCESS_TOKEN, "true");
        config.put(OIDCAttributeMapperHelper.INCLUDE_IN_LIGHTWEIGHT_ACCESS_TOKEN, "true");
        config.put(OIDCAttributeMapperHelper.INCLUDE_IN_INTROSPECTION, "true");
        mapper.setConfig(config);
        return mapper;
    }
}

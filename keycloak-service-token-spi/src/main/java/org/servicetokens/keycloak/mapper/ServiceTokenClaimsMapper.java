package org.servicetokens.keycloak.mapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;
import org.servicetokens.keycloak.model.ServiceToken;

/**
 * Puts a service token's identity into its access tokens: {@code aud} = its allowed applications and the
 * {@code service_token} claim {@code {id, name, secret}}, where {@code secret} is the short id of the secret that
 * authenticated the token request ({@code TokenSecrets.secretId}), so a revocation can name exactly the JWTs minted
 * with one secret. It reads the token's current attributes at mint time, so an
 * edit of the applications or the name applies to the next JWT without touching mapper configuration.
 */
public class ServiceTokenClaimsMapper extends AbstractOIDCProtocolMapper implements OIDCAccessTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "service-token-claims-mapper";
    public static final String CLAIM = "service_token";

    /** Session attribute through which the authenticator tells this mapper which secret authenticated the request. */
    public static String secretIdAttribute(String tokenId) {
        return "service-token.secret-id." + tokenId;
    }

    public static ProtocolMapperModel create() {
        ProtocolMapperModel mapper = new ProtocolMapperModel();
        mapper.setName("service token claims");
        mapper.setProtocolMapper(PROVIDER_ID);
        mapper.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        Map<String, String> config = new LinkedHashMap<>();
        config.put(OIDCAttributeMapperHelper.INCLUDE_IN_ACCESS_TOKEN, "true");
        config.put(OIDCAttributeMapperHelper.INCLUDE_IN_LIGHTWEIGHT_ACCESS_TOKEN, "true");
        config.put(OIDCAttributeMapperHelper.INCLUDE_IN_INTROSPECTION, "true");
        mapper.setConfig(config);
        return mapper;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession keycloakSession, ClientSessionContext clientSessionCtx) {
        ServiceToken.of(clientSessionCtx.getClientSession().getClient()).ifPresent(serviceToken -> {
            List<String> applications = serviceToken.applications();
            for (String application : applications) {
                token.addAudience(application);
            }
            Map<String, Object> claim = new LinkedHashMap<>();
            claim.put("id", serviceToken.id());
            claim.put("name", serviceToken.name());
            // Set by the authenticator for this token request; anything else minting a token for the client (an
            // admin's "evaluate" preview) gets the current secret's id, so the token still dies with that secret.
            Object secretId = keycloakSession.getAttribute(secretIdAttribute(serviceToken.id()));
            claim.put("secret", secretId instanceof String id ? id : serviceToken.currentSecretId());
            token.getOtherClaims().put(CLAIM, claim);
        });
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getDisplayType() {
        return "Service token claims";
    }

    @Override
    public String getHelpText() {
        return "Adds the service token's applications to 'aud' and its id, name and secret id as the 'service_token' claim.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}

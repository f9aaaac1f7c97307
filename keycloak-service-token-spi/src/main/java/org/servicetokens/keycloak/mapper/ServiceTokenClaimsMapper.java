package org.servicetokens.keycloak.mapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenProtocol;

/**
 * Puts a service token's identity into its access tokens: {@code aud} = its allowed applications and the
 * {@code service_token} claim {@code {id, name, secret}}, where {@code secret} is the short id of the secret that
 * authenticated the token request ({@code TokenSecrets.secretId}; the authenticator hands it over through
 * {@link ServiceTokenProtocol#secretIdAttribute}), so a revocation can name exactly the JWTs minted
 * with one secret. A token limited to networks also carries them, {@code networks}: its CIDR ranges in normal form
 * (e.g. {@code ["10.0.0.0/8", "2001:db8::/32"]}), so a sidecar can check each request's address too; the claim is
 * absent for a token usable from anywhere. It reads the token's current attributes at mint time, so an
 * edit of the applications or the name applies to the next JWT without touching mapper configuration.
 */
public class ServiceTokenClaimsMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = ServiceTokenProtocol.CLAIMS_MAPPER_ID;
    public static final String CLAIM = ServiceTokenProtocol.CLAIM;

    @Override
    protected void setClaim(
            IDToken token,
            ProtocolMapperModel mappingModel,
            UserSessionModel userSession,
            KeycloakSession keycloakSession,
            ClientSessionContext clientSessionCtx) {
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
            Object secretId = keycloakSession.getAttribute(ServiceTokenProtocol.secretIdAttribute(serviceToken.id()));
            claim.put("secret", secretId instanceof String id ? id : serviceToken.currentSecretId());
            if (serviceToken.networks().restricted()) {
                claim.put("networks", serviceToken.networks().texts());
            }
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
        return "Adds the service token's applications to 'aud' and its id, name, secret id and allowed networks as the 'service_token' claim.";
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

package org.servicetokens.keycloak.authenticator;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.keycloak.Config;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.ClientAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.model.ServiceTokenProtocol;

/**
 * Registers the {@code service-token} client authenticator. Its one option,
 * {@code --spi-client-authenticator--service-token--last-used-flush-interval} (seconds, default 60), sets how often
 * each node writes the last-used times it saw.
 */
public class ServiceTokenClientAuthenticatorFactory implements ClientAuthenticatorFactory {

    public static final String PROVIDER_ID = ServiceTokenProtocol.AUTHENTICATOR_ID;
    private static final ServiceTokenClientAuthenticator INSTANCE = new ServiceTokenClientAuthenticator();

    @Override
    public ClientAuthenticator create() {
        return INSTANCE;
    }

    @Override
    public ClientAuthenticator create(KeycloakSession session) {
        return INSTANCE;
    }

    /** Nothing here: the provider's start-up work (this authenticator's flow installation too) is {@code ProviderStartup}'s. */
    @Override
    public void postInit(KeycloakSessionFactory factory) {}

    /**
     * Deliberately empty. Keycloak maps an OIDC method such as {@code client_secret_basic} to the first factory
     * that lists it (dynamic client registration does this); listing ours would let ordinary clients be
     * registered with the service-token authenticator. Service tokens are only made through our API.
     */
    @Override
    public Set<String> getProtocolAuthenticatorMethods(String loginProtocol) {
        return Set.of();
    }

    /** Nothing for adapters: there is no stored secret to hand out. */
    @Override
    public Map<String, Object> getAdapterConfiguration(KeycloakSession session, ClientModel client) {
        return Map.of();
    }

    @Override
    public List<ProviderConfigProperty> getConfigPropertiesPerClient() {
        return List.of();
    }

    @Override
    public boolean supportsSecret() {
        return false;
    }

    @Override
    public String getDisplayType() {
        return "Service token";
    }

    @Override
    public String getReferenceCategory() {
        return null;
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return new AuthenticationExecutionModel.Requirement[] {
            AuthenticationExecutionModel.Requirement.ALTERNATIVE, AuthenticationExecutionModel.Requirement.DISABLED
        };
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public String getHelpText() {
        return "Authenticates service tokens (client ID + kcst_ secret, hashed at rest, with expiry and rotation grace).";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public void init(Config.Scope config) {
        LastUsedTracker.instance().configure(config.getLong("last-used-flush-interval", null));
    }

    @Override
    public void close() {}

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}

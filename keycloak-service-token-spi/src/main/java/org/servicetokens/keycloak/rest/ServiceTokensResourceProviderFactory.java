package org.servicetokens.keycloak.rest;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;
import org.servicetokens.keycloak.startup.ProviderStartup;

/**
 * Mounts the API at {@code /admin/realms/{realm}/service-tokens}, and starts the provider: its options and its
 * {@code postInit} feed {@link ProviderStartup}, the one place that does the provider's start-up work (flow
 * installation, job scheduling, the guard over Keycloak's own client APIs), where the options are listed.
 */
public class ServiceTokensResourceProviderFactory implements AdminRealmResourceProviderFactory {

    public static final String ID = "service-tokens";
    private static final ServiceTokensResourceProvider PROVIDER = new ServiceTokensResourceProvider();

    private ProviderStartup startup;

    @Override
    public AdminRealmResourceProvider create(KeycloakSession session) {
        return PROVIDER;
    }

    @Override
    public void init(Config.Scope config) {
        startup = ProviderStartup.configure(config);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        startup.start(factory, new StockClientEvents());
    }

    @Override
    public void close() {
        if (startup != null) {
            startup.close();
        }
    }

    @Override
    public String getId() {
        return ID;
    }
}

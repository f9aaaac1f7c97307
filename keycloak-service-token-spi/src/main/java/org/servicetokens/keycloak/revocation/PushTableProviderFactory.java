package org.servicetokens.keycloak.revocation;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Contributes the Liquibase changelog that creates {@code SERVICE_TOKEN_PUSH} (see {@link PushOutbox}). Keycloak
 * applies a provider's changelog at start-up, in the same database as its own tables, and records it in a
 * changelog table of its own ({@code DATABASECHANGELOG_SERVICE_TO}). No mapped entities: the table is read and
 * written with plain SQL.
 */
public class PushTableProviderFactory implements JpaEntityProviderFactory {

    static final String ID = "service-tokens";

    private static final JpaEntityProvider PROVIDER = new JpaEntityProvider() {
        @Override
        public List<Class<?>> getEntities() {
            return List.of();
        }

        @Override
        public String getChangelogLocation() {
            return "META-INF/service-token-changelog.xml";
        }

        @Override
        public String getFactoryId() {
            return ID;
        }

        @Override
        public void close() {}
    };

    @Override
    public JpaEntityProvider create(KeycloakSession session) {
        return PROVIDER;
    }

    @Override
    public void init(Config.Scope config) {}

    @Override
    public void postInit(KeycloakSessionFactory factory) {}

    @Override
    public void close() {}

    @Override
    public String getId() {
        return ID;
    }
}

package org.servicetokens.keycloak.service;

import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.cache.CacheRealmProvider;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.servicetokens.keycloak.model.InternalChange;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.revocation.TokenPushes;

/**
 * What follows, for service tokens, from a change made through Keycloak's own client APIs (the guard that listens
 * for those changes decides when; this class does the follow-up, in the changing transaction): an application
 * renamed is refreshed at every token that allows it, a token deleted is revoked as our own delete revokes it, an
 * application deleted is dropped from every token that allowed it.
 */
public final class StockClientChanges {

    private static final Logger LOG = Logger.getLogger(StockClientChanges.class);

    private final KeycloakSession session;
    private final RealmModel realm;

    /** The follow-ups of a change to a client of {@code realm}, within {@code session}'s transaction. */
    public StockClientChanges(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
    }

    /**
     * An application whose client ID changed: the {@code aud} of its tokens' JWTs changes with it, so every token
     * that allows it is refreshed there ({@code revoke: "none"}, as our own rename).
     *
     * @param previousClientId the client ID before the change, for the log line (null when it cannot be told)
     */
    public void applicationRenamed(ClientModel application, String previousClientId) {
        String id = application.getId();
        List<ServiceToken> affected = tokensAllowing(id);
        if (affected.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        TokenPushes pushes = new TokenPushes(session, realm);
        for (ServiceToken token : affected) {
            pushes.refresh(token, List.of(id), now, "application-renamed");
        }
        LOG.infof(
                "Application %s in realm %s was renamed (was %s): %d service token(s) refreshed there",
                application.getClientId(), realm.getName(), previousClientId, affected.size());
    }

    /**
     * A token deleted through Keycloak's clients API: pushed as our own delete pushes it (rows written in this
     * transaction, sent after the commit).
     *
     * @param subject the id its service-account user had (Keycloak removes that user before the client), the
     *                {@code sub} of the token's JWTs; nothing is pushed when it is null
     */
    public void tokenDeleted(ServiceToken token, String subject) {
        new TokenPushes(session, realm).revokeToken(token, subject, token.applicationIds(), Instant.now(), "deleted");
    }

    /**
     * An application deleted: dropped from every token that allowed it, with an admin event per token when an admin
     * request is under way, and every JWT of those tokens revoked at that application, as a removal through the
     * service-token API is.
     */
    public void applicationDeleted(ClientModel application) {
        String id = application.getId();
        List<ServiceToken> affected = tokensAllowing(id);
        if (affected.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        AdminEventBuilder events = AdminRequestEvents.of(session, realm);
        TokenPushes pushes = new TokenPushes(session, realm);
        CacheRealmProvider cache = session.getProvider(CacheRealmProvider.class);
        for (ServiceToken token : affected) {
            // Inside a client removal Keycloak's cache hands out the database adapters, whose writes invalidate
            // nothing: without this the cached token would keep the dropped application and the old generation.
            if (cache != null) {
                cache.registerClientInvalidation(token.id(), token.clientId(), realm.getId());
            }
            // As the removal of an application through our API: every JWT of the token is revoked at the removed
            // application (addressed from the client as it is now: it is gone when the push is sent), and the
            // generation moves on so JWTs minted afterwards are not caught by it.
            pushes.revokeTokenAtDeletedApplication(token, application, now, "application-deleted");
            InternalChange.run(session, () -> {
                token.setApplicationIds(token.applicationIds().stream()
                        .filter(a -> !a.equals(id))
                        .toList());
                token.nextGeneration();
                return null;
            });
            LOG.infof(
                    "Service token %s in realm %s: application %s was deleted and is no longer allowed",
                    token.clientId(), realm.getName(), application.getClientId());
            if (events != null) {
                Map<String, Object> representation = new LinkedHashMap<>();
                representation.put("id", token.id());
                representation.put("clientId", token.clientId());
                representation.put("removedApplication", application.getClientId());
                representation.put("applications", token.applications());
                events.clone(session)
                        .operation(OperationType.UPDATE)
                        .resourcePath("service-tokens", token.id())
                        .representation(representation)
                        .success();
            }
        }
    }

    /**
     * A client property (the JPA entity's field name, e.g. {@code clientId}) as loaded from the database in this
     * transaction, before the change being published: Hibernate keeps it for dirty checking. Null when it cannot be
     * told (a new client, another storage, a property that is not a string).
     */
    public static String storedValue(KeycloakSession session, ClientModel client, String property) {
        if (!(client instanceof org.keycloak.models.jpa.ClientAdapter jpa)) {
            return null;
        }
        try {
            EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
            EntityEntry entry = em.unwrap(SharedSessionContractImplementor.class)
                    .getPersistenceContextInternal()
                    .getEntry(jpa.getEntity());
            Object loaded = entry == null ? null : entry.getLoadedValue(property);
            return loaded instanceof String value ? value : null;
        } catch (RuntimeException unknown) {
            return null;
        }
    }

    private List<ServiceToken> tokensAllowing(String applicationId) {
        return new ServiceTokenManager(session, realm)
                .list()
                .filter(token -> token.applicationIds().contains(applicationId))
                .toList();
    }
}

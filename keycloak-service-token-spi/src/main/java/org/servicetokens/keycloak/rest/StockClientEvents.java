package org.servicetokens.keycloak.rest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;

import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.cache.CacheRealmProvider;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ProviderEventListener;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.AdminRoot;
import org.servicetokens.keycloak.authenticator.ServiceTokenClientAuthenticatorFactory;
import org.servicetokens.keycloak.model.InternalChange;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenManager;
import org.servicetokens.keycloak.revocation.TokenPushes;

/**
 * Keeps Keycloak's stock APIs from changing service tokens behind the service-token API, and keeps tokens
 * consistent with the clients they name. Keycloak publishes its client events synchronously inside the changing
 * transaction, and an exception thrown here rolls the whole change back, so:
 * <ul>
 *   <li>{@code ClientUpdatedEvent} for a client that is, was or would become a service token (stock
 *       {@code PUT /clients/{id}}, partial import, dynamic client registration) is refused with a 400 saying to use
 *       the service-token API; only a whole-realm import (creating a realm, or a server-side import) may bring
 *       tokens in as exported. For an application whose client ID changed, every token that allows it is refreshed
 *       there ({@link TokenPushes#refresh}, in the same transaction): its JWTs' {@code aud} changed.</li>
 *   <li>{@code ClientRemovedEvent} of a token through the stock API pushes the same revocation our own delete does
 *       ({@link TokenPushes}, in the same transaction); of an application: the application is dropped from every
 *       token that allowed it, with an admin event per token, and revoked at that application as a removal through
 *       the service-token API is.</li>
 * </ul>
 * The provider's own changes are marked with {@link InternalChange} and pass.
 */
public final class StockClientEvents implements ProviderEventListener {

    private static final Logger LOG = Logger.getLogger(StockClientEvents.class);
    /** Session attribute prefix: the id of a service-account user removed in this transaction, by its client's id. */
    private static final String SERVICE_ACCOUNT_OF = "service-token.removed-service-account.";
    /** Session attribute prefix: the client ID an application's rename was last pushed for, by its id. */
    private static final String RENAME_PUSHED = "service-token.rename-pushed.";

    public static void register(KeycloakSessionFactory factory) {
        factory.register(new StockClientEvents());
    }

    @Override
    public void onEvent(ProviderEvent event) {
        if (event instanceof ClientModel.ClientUpdatedEvent updated) {
            onUpdate(updated.getKeycloakSession(), updated.getUpdatedClient());
        } else if (event instanceof ClientModel.ClientRemovedEvent removed) {
            onRemove(removed.getKeycloakSession(), removed.getClient());
        } else if (event instanceof UserModel.UserPreRemovedEvent removing) {
            rememberServiceAccount(removing.getKeycloakSession(), removing.getUser());
        }
    }

    /**
     * Keycloak's client delete removes the client's service-account user first, then the client (whose removal event
     * then finds no service account): the user's id, the {@code sub} of the token's JWTs, is kept for the push.
     */
    private static void rememberServiceAccount(KeycloakSession session, UserModel user) {
        String clientId = user.getServiceAccountClientLink();
        if (clientId != null) {
            session.setAttribute(SERVICE_ACCOUNT_OF + clientId, user.getId());
        }
    }

    private static void onUpdate(KeycloakSession session, ClientModel client) {
        if (InternalChange.active(session)) {
            return;
        }
        boolean token = ServiceToken.isServiceToken(client)
                || ServiceTokenClientAuthenticatorFactory.PROVIDER_ID.equals(client.getClientAuthenticatorType())
                || ServiceTokenClientAuthenticatorFactory.PROVIDER_ID.equals(storedValue(session, client, "clientAuthenticatorType"));
        if (wholeRealmImport(session)) {
            return;
        }
        if (!token) {
            refreshIfRenamed(session, client);
            return;
        }
        LOG.debugf("Refused a change to service token %s through Keycloak's clients API", client.getClientId());
        // A WebApplicationException with a response reaches the client as it is, without Keycloak's error handler
        // (which would roll back): without this the refused change would still be committed.
        session.getTransactionManager().setRollbackOnly();
        throw ApiError.badRequest("Client '" + TextRules.printable(String.valueOf(client.getClientId()))
                + "' is a service token: change it through /admin/realms/{realm}/service-tokens (or the console's "
                + "Service tokens page), not through the clients API or a partial import");
    }

    /**
     * An application whose client ID changed: the {@code aud} of its tokens' JWTs changes with it, so every token
     * that allows it is refreshed there ({@code revoke: "none"}, as our own rename), in this transaction. The old
     * client ID is the one Hibernate loaded; when it cannot be told, the refresh is pushed anyway (it revokes nothing).
     */
    private static void refreshIfRenamed(KeycloakSession session, ClientModel application) {
        Object stored = storedValue(session, application, "clientId");
        // Keycloak may publish the update more than once in a transaction: one refresh per new client ID.
        String pushed = RENAME_PUSHED + application.getId();
        if ((stored != null && stored.equals(application.getClientId()))
                || application.getClientId().equals(session.getAttribute(pushed))) {
            return;
        }
        session.setAttribute(pushed, application.getClientId());
        RealmModel realm = application.getRealm();
        String id = application.getId();
        List<ServiceToken> affected = new ServiceTokenManager(session, realm).list()
                .filter(token -> token.applicationIds().contains(id)).toList();
        if (affected.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        TokenPushes pushes = new TokenPushes(session, realm);
        for (ServiceToken token : affected) {
            pushes.refresh(token, List.of(id), now, "application-renamed");
        }
        LOG.infof("Application %s in realm %s was renamed (was %s): %d service token(s) refreshed there",
                application.getClientId(), realm.getName(), stored, affected.size());
    }

    private static void onRemove(KeycloakSession session, ClientModel client) {
        if (InternalChange.active(session) || realmDeletion(session, client.getRealm())) {
            return;
        }
        RealmModel realm = client.getRealm();
        Instant now = Instant.now();
        // Pushed as our own delete pushes it: rows written in this transaction, sent after the commit, with the subject
        // of the service-account user Keycloak removed just before (see rememberServiceAccount).
        ServiceToken.of(client).ifPresentOrElse(
                token -> new TokenPushes(session, realm).revokeToken(token, serviceAccountOf(session, token),
                        token.applicationIds(), now, "deleted"),
                () -> dropApplication(session, realm, client, now));
    }

    private static String serviceAccountOf(KeycloakSession session, ServiceToken token) {
        Object removed = session.getAttribute(SERVICE_ACCOUNT_OF + token.id());
        if (removed instanceof String id) {
            return id;
        }
        UserModel serviceAccount = session.users().getServiceAccount(token.client());
        return serviceAccount == null ? null : serviceAccount.getId();
    }

    private static void dropApplication(KeycloakSession session, RealmModel realm, ClientModel application, Instant now) {
        String id = application.getId();
        List<ServiceToken> affected = new ServiceTokenManager(session, realm).list()
                .filter(token -> token.applicationIds().contains(id)).toList();
        if (affected.isEmpty()) {
            return;
        }
        AdminEventBuilder events = adminEvents(session, realm);
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
                token.setApplicationIds(token.applicationIds().stream().filter(a -> !a.equals(id)).toList());
                token.nextGeneration();
                return null;
            });
            LOG.infof("Service token %s in realm %s: application %s was deleted and is no longer allowed",
                    token.clientId(), realm.getName(), application.getClientId());
            if (events != null) {
                Map<String, Object> representation = new LinkedHashMap<>();
                representation.put("id", token.id());
                representation.put("clientId", token.clientId());
                representation.put("removedApplication", application.getClientId());
                representation.put("applications", token.applications());
                events.clone(session).operation(OperationType.UPDATE).resourcePath("service-tokens", token.id())
                        .representation(representation).success();
            }
        }
    }

    /** The admin event builder of the admin request under way, or null outside one (then the log line stands). */
    private static AdminEventBuilder adminEvents(KeycloakSession session, RealmModel realm) {
        RealmModel contextRealm = session.getContext().getRealm();
        try {
            AdminAuth auth = AdminRoot.authenticateRealmAdminRequest(session);
            return new AdminEventBuilder(realm, auth, session, session.getContext().getConnection())
                    .resource(ResourceType.CLIENT);
        } catch (RuntimeException noAdminRequest) {
            return null;
        } finally {
            session.getContext().setRealm(contextRealm);
        }
    }

    /**
     * A client property (the JPA entity's field name) as loaded from the database in this transaction, before the
     * change being published: Hibernate keeps it for dirty checking. Null when it cannot be told (a new client,
     * another storage).
     */
    private static String storedValue(KeycloakSession session, ClientModel client, String property) {
        if (!(client instanceof org.keycloak.models.jpa.ClientAdapter jpa)) {
            return null;
        }
        try {
            EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
            EntityEntry entry = em.unwrap(SharedSessionContractImplementor.class).getPersistenceContextInternal()
                    .getEntry(jpa.getEntity());
            Object loaded = entry == null ? null : entry.getLoadedValue(property);
            return loaded instanceof String value ? value : null;
        } catch (RuntimeException unknown) {
            return null;
        }
    }

    /** Creating a realm from JSON ({@code POST /admin/realms}) or a server-side import (no HTTP request at all). */
    private static boolean wholeRealmImport(KeycloakSession session) {
        HttpRequest request = httpRequest(session);
        if (request == null) {
            return true;
        }
        String path = request.getUri().getPath();
        return "POST".equals(request.getHttpMethod()) && path != null && path.replaceAll("/+$", "").endsWith("/admin/realms");
    }

    /** {@code DELETE /admin/realms/{realm}} removes every client; nothing needs following up then. */
    private static boolean realmDeletion(KeycloakSession session, RealmModel realm) {
        HttpRequest request = httpRequest(session);
        if (request == null) {
            return false;
        }
        List<jakarta.ws.rs.core.PathSegment> segments = request.getUri().getPathSegments();
        int n = segments.size();
        return "DELETE".equals(request.getHttpMethod()) && n >= 3 && "admin".equals(segments.get(n - 3).getPath())
                && "realms".equals(segments.get(n - 2).getPath()) && realm.getName().equals(segments.get(n - 1).getPath());
    }

    private static HttpRequest httpRequest(KeycloakSession session) {
        try {
            return session.getContext().getHttpRequest();
        } catch (RuntimeException none) {
            return null;
        }
    }

    /** Stores every legacy client-ID application list as ids; run at start-up. */
    public static void migrateApplications(KeycloakSessionFactory factory) {
        KeycloakModelUtils.runJobInTransaction(factory, session -> session.realms().getRealmsStream().forEach(realm -> {
            long migrated = new ServiceTokenManager(session, realm).list()
                    .filter(token -> InternalChange.run(session, token::migrateApplications)).count();
            if (migrated > 0) {
                LOG.infof("Realm %s: stored the applications of %d service token(s) by client id", realm.getName(), migrated);
            }
        }));
    }
}

package org.servicetokens.keycloak.rest;

import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ProviderEventListener;
import org.servicetokens.keycloak.model.InternalChange;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenProtocol;
import org.servicetokens.keycloak.service.StockClientChanges;

/**
 * Keeps Keycloak's stock APIs from changing service tokens behind the service-token API, and keeps tokens
 * consistent with the clients they name. Keycloak publishes its client events synchronously inside the changing
 * transaction, and an exception thrown here rolls the whole change back, so:
 * <ul>
 *   <li>{@code ClientUpdatedEvent} for a client that is, was or would become a service token (stock
 *       {@code PUT /clients/{id}}, partial import, dynamic client registration) is refused with a 400 saying to use
 *       the service-token API; only a whole-realm import (creating a realm, or a server-side import) may bring
 *       tokens in as exported. For an application whose client ID changed, every token that allows it is refreshed
 *       there (in the same transaction): its JWTs' {@code aud} changed.</li>
 *   <li>{@code ClientRemovedEvent} of a token through the stock API pushes the same revocation our own delete does
 *       (in the same transaction); of an application: the application is dropped from every
 *       token that allowed it, with an admin event per token, and revoked at that application as a removal through
 *       the service-token API is.</li>
 * </ul>
 * The provider's own changes are marked with {@link InternalChange} and pass. This class tells which changes
 * are refused or followed up; {@link StockClientChanges} does the follow-ups.
 */
public final class StockClientEvents implements ProviderEventListener {

    private static final Logger LOG = Logger.getLogger(StockClientEvents.class);
    /** Session attribute prefix: the id of a service-account user removed in this transaction, by its client's id. */
    private static final String SERVICE_ACCOUNT_OF = "service-token.removed-service-account.";
    /** Session attribute prefix: the client ID an application's rename was last pushed for, by its id. */
    private static final String RENAME_PUSHED = "service-token.rename-pushed.";

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
                || ServiceTokenProtocol.AUTHENTICATOR_ID.equals(client.getClientAuthenticatorType())
                || ServiceTokenProtocol.AUTHENTICATOR_ID.equals(
                        StockClientChanges.storedValue(session, client, "clientAuthenticatorType"));
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
        String stored = StockClientChanges.storedValue(session, application, "clientId");
        // Keycloak may publish the update more than once in a transaction: one refresh per new client ID.
        String pushed = RENAME_PUSHED + application.getId();
        if ((stored != null && stored.equals(application.getClientId()))
                || application.getClientId().equals(session.getAttribute(pushed))) {
            return;
        }
        session.setAttribute(pushed, application.getClientId());
        new StockClientChanges(session, application.getRealm()).applicationRenamed(application, stored);
    }

    private static void onRemove(KeycloakSession session, ClientModel client) {
        if (InternalChange.active(session) || realmDeletion(session, client.getRealm())) {
            return;
        }
        // Pushed as our own delete pushes it, with the subject of the service-account user Keycloak removed just
        // before (see rememberServiceAccount).
        StockClientChanges changes = new StockClientChanges(session, client.getRealm());
        ServiceToken.of(client)
                .ifPresentOrElse(
                        token -> changes.tokenDeleted(token, serviceAccountOf(session, token)),
                        () -> changes.applicationDeleted(client));
    }

    private static String serviceAccountOf(KeycloakSession session, ServiceToken token) {
        Object removed = session.getAttribute(SERVICE_ACCOUNT_OF + token.id());
        if (removed instanceof String id) {
            return id;
        }
        UserModel serviceAccount = session.users().getServiceAccount(token.client());
        return serviceAccount == null ? null : serviceAccount.getId();
    }

    /** Creating a realm from JSON ({@code POST /admin/realms}) or a server-side import (no HTTP request at all). */
    private static boolean wholeRealmImport(KeycloakSession session) {
        HttpRequest request = httpRequest(session);
        if (request == null) {
            return true;
        }
        String path = request.getUri().getPath();
        return "POST".equals(request.getHttpMethod())
                && path != null
                && path.replaceAll("/+$", "").endsWith("/admin/realms");
    }

    /** {@code DELETE /admin/realms/{realm}} removes every client; nothing needs following up then. */
    private static boolean realmDeletion(KeycloakSession session, RealmModel realm) {
        HttpRequest request = httpRequest(session);
        if (request == null) {
            return false;
        }
        List<jakarta.ws.rs.core.PathSegment> segments = request.getUri().getPathSegments();
        int n = segments.size();
        return "DELETE".equals(request.getHttpMethod())
                && n >= 3
                && "admin".equals(segments.get(n - 3).getPath())
                && "realms".equals(segments.get(n - 2).getPath())
                && realm.getName().equals(segments.get(n - 1).getPath());
    }

    private static HttpRequest httpRequest(KeycloakSession session) {
        try {
            return session.getContext().getHttpRequest();
        } catch (RuntimeException none) {
            return null;
        }
    }
}

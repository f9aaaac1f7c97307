package org.servicetokens.keycloak.service;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.EventStoreProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.util.JsonSerialization;
import org.servicetokens.keycloak.model.SecretUse;
import org.servicetokens.keycloak.model.ServiceToken;

/**
 * The admin event raised when a rotation's grace period ends (by the grace-end job, or by an admin through
 * {@code PUT /{id}/previous-secret}) while the previous secret was still used in the last {@link #WINDOW}: some bot
 * probably still holds the old secret and has just lost access. Operation {@code ACTION}, resource type
 * {@code CLIENT}, path {@code service-tokens/{id}/grace-ended-in-use}, representation
 * {@code {id, clientId, name, graceEndedAt, previousSecretUse: {at, address, userAgent, count}}} (times ISO-8601
 * UTC). Made by an admin request, it names that admin like every admin event; made by the job, it has no admin user
 * or client (only the realm) and goes to the realm's event store and listeners as Keycloak's own builder would send it.
 */
final class GraceEndWarning {

    /** How recent a use of the previous secret must be for its grace end to be worth an event. */
    static final Duration WINDOW = Duration.ofHours(1);

    private static final Logger LOG = Logger.getLogger(GraceEndWarning.class);

    private GraceEndWarning() {}

    /** Raises the event when {@code previousUse} lies within the last hour before {@code now}; else nothing. */
    static void raiseIfInUse(
            KeycloakSession session, RealmModel realm, ServiceToken token, SecretUse previousUse, Instant now) {
        if (previousUse == null || !previousUse.within(WINDOW, now)) {
            return;
        }
        Map<String, Object> use = new LinkedHashMap<>();
        use.put("at", previousUse.at().toString());
        use.put("address", previousUse.address());
        use.put("userAgent", previousUse.userAgent());
        use.put("count", previousUse.count());
        Map<String, Object> representation = new LinkedHashMap<>();
        representation.put("id", token.id());
        representation.put("clientId", token.clientId());
        representation.put("name", token.name());
        representation.put("graceEndedAt", now.toString());
        representation.put("previousSecretUse", use);
        LOG.infof(
                "Service token %s in realm %s: the grace period ended while the previous secret was still in use (last %s from %s)",
                token.clientId(), realm.getName(), previousUse.at(), previousUse.address());
        AdminEventBuilder builder = AdminRequestEvents.of(session, realm);
        if (builder != null) {
            builder.operation(OperationType.ACTION)
                    .resourcePath("service-tokens", token.id(), "grace-ended-in-use")
                    .representation(representation)
                    .success();
        } else {
            sendUnattended(session, realm, token, representation);
        }
    }

    /** What {@link AdminEventBuilder} sends, for an event no admin made: the realm's store (if on) and listeners. */
    private static void sendUnattended(
            KeycloakSession session, RealmModel realm, ServiceToken token, Map<String, Object> representation) {
        AdminEvent event = new AdminEvent();
        event.setId(UUID.randomUUID().toString());
        event.setTime(System.currentTimeMillis());
        event.setRealmId(realm.getId());
        AuthDetails auth = new AuthDetails();
        auth.setRealmId(realm.getId());
        event.setAuthDetails(auth);
        event.setOperationType(OperationType.ACTION);
        event.setResourceTypeAsString(ResourceType.CLIENT.name());
        event.setResourcePath("service-tokens/" + token.id() + "/grace-ended-in-use");
        try {
            event.setRepresentation(JsonSerialization.writeValueAsString(representation));
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (realm.isAdminEventsEnabled()) {
            EventStoreProvider store = session.getProvider(EventStoreProvider.class);
            if (store != null) {
                store.onEvent(event, realm.isAdminEventsDetailsEnabled());
            }
        }
        realm.getEventsListenersStream().forEach(id -> {
            EventListenerProvider listener = session.getProvider(EventListenerProvider.class, id);
            if (listener != null) {
                listener.onEvent(event, true);
            }
        });
        session.getKeycloakSessionFactory()
                .getProviderFactoriesStream(EventListenerProvider.class)
                .filter(factory ->
                        factory instanceof EventListenerProviderFactory listenerFactory && listenerFactory.isGlobal())
                .filter(factory -> realm.getEventsListenersStream().noneMatch(factory.getId()::equals))
                .forEach(factory -> session.getProvider(EventListenerProvider.class, factory.getId())
                        .onEvent(event, true));
    }
}

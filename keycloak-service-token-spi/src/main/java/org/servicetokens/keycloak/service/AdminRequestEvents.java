package org.servicetokens.keycloak.service;

import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.AdminRoot;

/**
 * Admin events for changes the provider makes on an admin's behalf, named after the admin of the request under way.
 * Outside an admin request (a background job, a request without admin credentials) there is no admin to name: the
 * caller then writes its log line (or an event without an admin) instead.
 */
final class AdminRequestEvents {

    private AdminRequestEvents() {}

    /**
     * The {@link ResourceType#CLIENT} admin-event builder of the admin request under way in {@code session}, for
     * {@code realm}; null when there is none. Authenticating the request may switch the session's realm to the
     * admin's, so the context realm is restored afterwards.
     */
    static AdminEventBuilder of(KeycloakSession session, RealmModel realm) {
        RealmModel contextRealm = session.getContext().getRealm();
        try {
            if (session.getContext().getHttpRequest() == null) {
                return null;
            }
            AdminAuth auth = AdminRoot.authenticateRealmAdminRequest(session);
            return new AdminEventBuilder(
                            realm, auth, session, session.getContext().getConnection())
                    .resource(ResourceType.CLIENT);
        } catch (RuntimeException noAdminRequest) {
            return null;
        } finally {
            session.getContext().setRealm(contextRealm);
        }
    }
}

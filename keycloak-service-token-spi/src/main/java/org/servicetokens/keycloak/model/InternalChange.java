package org.servicetokens.keycloak.model;

import java.util.function.Supplier;
import org.keycloak.models.KeycloakSession;

/**
 * Marks the provider's own changes to a token's client for the rest of the request, so the guard on Keycloak's
 * client events ({@code ClientUpdatedEvent}, {@code ClientRemovedEvent}) can tell them from changes made through
 * Keycloak's stock APIs, which it refuses or follows up.
 */
public final class InternalChange {

    private static final String ATTRIBUTE = "service-token.internal-change";

    private InternalChange() {}

    /** Runs {@code change} marked as the provider's own (nested runs keep the mark); returns what it returns. */
    public static <T> T run(KeycloakSession session, Supplier<T> change) {
        Object previous = session.getAttribute(ATTRIBUTE);
        session.setAttribute(ATTRIBUTE, Boolean.TRUE);
        try {
            return change.get();
        } finally {
            if (previous == null) {
                session.removeAttribute(ATTRIBUTE);
            }
        }
    }

    /** True while a change of the provider's own is running in this session. */
    public static boolean active(KeycloakSession session) {
        return Boolean.TRUE.equals(session.getAttribute(ATTRIBUTE));
    }
}

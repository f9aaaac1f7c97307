package org.servicetokens.keycloak.revocation;

import java.net.URI;
import org.keycloak.models.KeycloakContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;
import org.keycloak.urls.HostnameProvider;
import org.keycloak.urls.UrlType;

/**
 * The {@code iss} of a realm's tokens, which is what every sidecar of the realm verifies. Resolved through Keycloak's
 * hostname provider with the realm as context and no request: the realm's Frontend URL if set, else the server's
 * {@code hostname} option when it is a full URL. Neither depends on how the admin reached Keycloak, so a change
 * made through {@code 127.0.0.1} or an admin host name still produces logout tokens with the realm issuer.
 *
 * <p>A server with neither (development mode, or {@code hostname} given as a bare host name) derives its issuer
 * from each request, for its own tokens too; then the issuer of the request that made the change is used, which is
 * right only if the admin used the same URL as the sidecars. Production servers set {@code hostname}.
 */
final class RealmIssuer {

    private RealmIssuer() {}

    /** The realm's issuer when the server configuration fixes it, else null. */
    static String configured(KeycloakSession session, RealmModel realm) {
        KeycloakContext context = session.getContext();
        RealmModel previous = context.getRealm();
        try {
            context.setRealm(realm);
            // Without a request the provider can only answer from configuration: the realm's Frontend URL or a
            // hostname URL. Anything request-derived fails on the missing request, which means "not configured".
            URI base = session.getProvider(HostnameProvider.class).getBaseUri(null, UrlType.FRONTEND);
            return base == null ? null : Urls.realmIssuer(base, realm.getName());
        } catch (RuntimeException requestDerived) {
            return null;
        } finally {
            context.setRealm(previous);
        }
    }

    /** The configured issuer, else the one the current request implies, else null (no request). */
    static String configuredOrFromRequest(KeycloakSession session, RealmModel realm) {
        String configured = configured(session, realm);
        if (configured != null) {
            return configured;
        }
        try {
            return Urls.realmIssuer(
                    session.getContext().getUri(UrlType.FRONTEND).getBaseUri(), realm.getName());
        } catch (RuntimeException noRequest) {
            return null;
        }
    }
}

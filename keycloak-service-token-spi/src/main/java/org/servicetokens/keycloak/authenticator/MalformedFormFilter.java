package org.servicetokens.keycloak.authenticator;

import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.events.Errors;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.servicetokens.keycloak.model.ServiceToken;

/**
 * Refuses a service token's request whose form body Keycloak could not read. Keycloak parses the form of the
 * token, introspection and revocation endpoints before any authenticator runs, and a bad escape such as
 * {@code client_secret=kcst_%zz} makes that parser throw: a 500 with a stack trace, and no event. This JAX-RS
 * filter runs before that parser (request filters precede the form reading of Keycloak's handler chain): when the
 * body is not strict {@link StrictForm form encoding} and the request names a service token (form
 * {@code client_id} or HTTP Basic), it answers what the authenticator would, {@code 401 invalid_client}
 * (RFC 6749 §5.2), and records the error event with {@value ServiceTokenClientAuthenticator#ERROR_DETAIL}
 * {@value ClientCredentials#MALFORMED}. Every other request passes untouched, its body given back byte for byte.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public final class MalformedFormFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(MalformedFormFilter.class);
    private static final Pattern CLIENT_AUTH_PATH =
            Pattern.compile("^/?(?:.*/)?realms/([^/]+)/protocol/openid-connect/(token|token/introspect|revoke)/?$");
    /** Bodies past this are left to Keycloak: no client-authenticating form is anywhere near it. */
    static final int MAX_CHECKED_BYTES = 256 * 1024;

    private static volatile KeycloakSessionFactory sessionFactory;

    /** Set once Keycloak is up (the filter is made by JAX-RS, not by Keycloak, so it cannot be handed the factory). */
    public static void useSessionFactory(KeycloakSessionFactory factory) {
        sessionFactory = factory;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (!HttpMethod.POST.equals(request.getMethod())
                || !request.hasEntity()
                || sessionFactory == null
                || request.getMediaType() == null
                || !request.getMediaType().isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            return;
        }
        Matcher path = CLIENT_AUTH_PATH.matcher(request.getUriInfo().getPath());
        if (!path.matches()) {
            return;
        }
        InputStream original = request.getEntityStream();
        byte[] body = original.readNBytes(MAX_CHECKED_BYTES + 1);
        if (body.length > MAX_CHECKED_BYTES) {
            request.setEntityStream(new SequenceInputStream(new ByteArrayInputStream(body), original));
            return;
        }
        request.setEntityStream(new ByteArrayInputStream(body));
        StrictForm form = StrictForm.parse(body);
        if (!form.malformed()) {
            return;
        }
        String clientId = ClientCredentials.basicClientId(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (clientId == null) {
            clientId = form.single(OAuth2Constants.CLIENT_ID);
        }
        if (clientId == null || clientId.isEmpty() || clientId.length() > 255) {
            return;
        }
        if (refused(path.group(1), clientId, path.group(2), form.single(OAuth2Constants.GRANT_TYPE))) {
            request.abortWith(ClientAuthUtil.errorResponse(
                    Response.Status.UNAUTHORIZED.getStatusCode(),
                    "invalid_client",
                    "Invalid client or Invalid client credentials"));
        }
    }

    /** Records the refusal if {@code clientId} is a service token of the realm; false (and nothing done) otherwise. */
    private static boolean refused(String realmName, String clientId, String endpoint, String grantType) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            RealmModel realm = session.realms().getRealmByName(realmName);
            ClientModel client = realm == null ? null : session.clients().getClientByClientId(realm, clientId);
            if (!ServiceToken.isServiceToken(client)) {
                return false;
            }
            session.getContext().setRealm(realm);
            session.getContext().setClient(client);
            EventBuilder event = new EventBuilder(
                            realm, session, session.getContext().getConnection())
                    .event(
                            switch (endpoint) {
                                case "token/introspect" -> EventType.INTROSPECT_TOKEN;
                                case "revoke" -> EventType.REVOKE_GRANT;
                                default -> EventType.CLIENT_LOGIN;
                            })
                    .client(client)
                    .detail(ServiceTokenClientAuthenticator.ERROR_DETAIL, ClientCredentials.MALFORMED);
            if (grantType != null && grantType.length() <= 64 && "token".equals(endpoint)) {
                event.detail(OAuth2Constants.GRANT_TYPE, grantType);
            }
            event.error(Errors.INVALID_CLIENT_CREDENTIALS);
            LOG.debugf(
                    "Refused a request of service token %s in realm %s: its form body is not valid form encoding",
                    clientId, realmName);
            return true;
        });
    }
}

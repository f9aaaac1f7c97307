package org.servicetokens.keycloak.revocation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;
import org.keycloak.common.util.SecretGenerator;
import org.keycloak.connections.httpclient.HttpClientProvider;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.LogoutToken;
import org.keycloak.util.JsonSerialization;
import org.keycloak.util.TokenUtil;
import org.servicetokens.keycloak.model.ServiceToken;

/**
 * Tells a token's applications that the token's JWTs issued before a cut-off must stop working: an OIDC
 * Back-Channel Logout token per application, signed by the realm key, {@code sub} = the service-account user,
 * {@code iat} = the cut-off. Tokens are built inside the admin transaction (keys and the issuer need it);
 * they are sent only after it commits, from a background sender, so the admin call never waits on an app.
 */
public final class RevocationPush {

    private static final Logger LOG = Logger.getLogger(RevocationPush.class);
    public static final String BACKCHANNEL_LOGOUT_URL = "backchannel.logout.url";
    /** Issuer recorded when a grace period starts, for the push the scheduled job sends when it ends. */
    public static final String ISSUER_ATTRIBUTE = "service-token.issuer";
    private static final long LOGOUT_TOKEN_LIFESPAN_SECONDS = 120;

    private RevocationPush() {
    }

    public static void schedule(KeycloakSession session, RealmModel realm, ServiceToken token, Instant cutoff, String reason) {
        schedule(session, realm, token, token.applications(), cutoff, reason);
    }

    public static void schedule(KeycloakSession session, RealmModel realm, ServiceToken token, List<String> applications,
                                Instant cutoff, String reason) {
        UserModel serviceAccount = session.users().getServiceAccount(token.client());
        if (serviceAccount == null || applications.isEmpty()) {
            return;
        }
        String issuer = issuer(session, realm, token);
        List<RevocationSender.Delivery> deliveries = new ArrayList<>();
        for (String applicationId : applications) {
            ClientModel application = session.clients().getClientByClientId(realm, applicationId);
            String url = application == null ? null : application.getAttribute(BACKCHANNEL_LOGOUT_URL);
            if (url == null || url.isBlank()) {
                continue;
            }
            String logoutToken = sign(session, realm, application, logoutToken(issuer, application, serviceAccount, token, cutoff, reason));
            deliveries.add(new RevocationSender.Delivery(realm.getName(), token.clientId(), applicationId, url, logoutToken));
        }
        if (deliveries.isEmpty()) {
            return;
        }
        var httpClient = session.getProvider(HttpClientProvider.class).getHttpClient();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                deliveries.forEach(delivery -> RevocationSender.instance().send(httpClient, delivery));
            }

            @Override
            protected void rollbackImpl() {
                LOG.debugf("Revocation of service token %s not sent: the change was rolled back", token.clientId());
            }
        });
    }

    /** The issuer the applications know, as seen by the current request; else the one recorded earlier. */
    public static String issuer(KeycloakSession session, RealmModel realm, ServiceToken token) {
        try {
            return org.keycloak.services.Urls.realmIssuer(
                    session.getContext().getUri(org.keycloak.urls.UrlType.FRONTEND).getBaseUri(), realm.getName());
        } catch (RuntimeException noHttpRequest) {
            return token.client().getAttribute(ISSUER_ATTRIBUTE);
        }
    }

    private static LogoutToken logoutToken(String issuer, ClientModel application, UserModel serviceAccount,
                                           ServiceToken token, Instant cutoff, String reason) {
        LogoutToken logoutToken = new LogoutToken();
        logoutToken.id(SecretGenerator.getInstance().generateSecureID());
        // JWT times are whole seconds and receivers refuse tokens issued before iat: a JWT minted earlier in the
        // revocation's own second must be refused too, so the cut-off is the start of the next second.
        long cutoffSecond = cutoff.getEpochSecond() + 1;
        logoutToken.iat(cutoffSecond);
        logoutToken.exp(cutoffSecond + LOGOUT_TOKEN_LIFESPAN_SECONDS);
        logoutToken.issuer(issuer);
        logoutToken.addAudience(application.getClientId());
        logoutToken.setSubject(serviceAccount.getId());
        logoutToken.putEvents(TokenUtil.TOKEN_BACKCHANNEL_LOGOUT_EVENT, JsonSerialization.createObjectNode());
        logoutToken.setOtherClaims("service_token", Map.of(
                "id", token.id(), "client_id", token.clientId(), "reason", reason));
        return logoutToken;
    }

    // The algorithm follows the receiving application's ID-token setting, as Keycloak's own back-channel
    // logout does, so the app verifies both kinds of logout token the same way.
    private static String sign(KeycloakSession session, RealmModel realm, ClientModel application, LogoutToken logoutToken) {
        KeycloakContext context = session.getContext();
        RealmModel previousRealm = context.getRealm();
        ClientModel previousClient = context.getClient();
        try {
            context.setRealm(realm);
            context.setClient(application);
            return session.tokens().encode(logoutToken);
        } finally {
            context.setRealm(previousRealm);
            context.setClient(previousClient);
        }
    }
}

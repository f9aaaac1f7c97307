package org.servicetokens.keycloak.revocation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.revocation.TokenNotice.Revoke;

/**
 * Tells a token's applications about a change, durably: inside the caller's transaction it writes one
 * {@link PushOutbox} row per application that has a back-channel logout URL ({@value #BACKCHANNEL_LOGOUT_URL}
 * client attribute), and after the commit it hands the rows to {@link PushSender}, each application on its own.
 * If the node dies first, the cluster-wide {@link PushJob} sends them. A rolled-back change leaves no row.
 *
 * <p>Three kinds (see {@link TokenNotice} for the wire format): all of the token's JWTs (delete, disable, removal
 * or deletion of an application), the JWTs minted with given secrets (rotation, end of a grace period), and "what
 * the JWT would say changed" (applications added, enabled, extended, renamed), after which sidecars exchange afresh.
 * Applications are named by internal id (as tokens store them, see {@code ServiceToken#applicationIds}) or client ID.
 */
public final class TokenPushes {

    private static final Logger LOG = Logger.getLogger(TokenPushes.class);
    public static final String BACKCHANNEL_LOGOUT_URL = "backchannel.logout.url";
    /** Issuer recorded by admin requests, for changes a background job makes on servers without a fixed issuer. */
    public static final String ISSUER_ATTRIBUTE = "service-token.issuer";

    private final KeycloakSession session;
    private final RealmModel realm;

    public TokenPushes(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
    }

    /** Every JWT of the token issued before {@code cutoff}, and every JWT naming one of its live secrets. */
    public void revokeToken(ServiceToken token, Collection<String> applications, Instant cutoff, String reason) {
        enqueue(token, serviceAccountId(token), applications, Revoke.token, liveSecrets(token), cutoff, reason, null);
    }

    /**
     * As {@link #revokeToken}, for a token whose service-account user is already gone: Keycloak's own client delete
     * removes that user before the client. {@code subject} is the id it had, the {@code sub} of the token's JWTs;
     * nothing is pushed when it is null.
     */
    public void revokeToken(
            ServiceToken token, String subject, Collection<String> applications, Instant cutoff, String reason) {
        enqueue(token, subject, applications, Revoke.token, liveSecrets(token), cutoff, reason, null);
    }

    private static List<String> liveSecrets(ServiceToken token) {
        List<String> live = new ArrayList<>();
        live.add(token.currentSecretId());
        live.add(token.previousSecretId());
        live.removeIf(Objects::isNull);
        return live;
    }

    /**
     * Every JWT of the token, as {@link #revokeToken}, at one application that this transaction deletes: the push is
     * addressed from what the application is now, since its client is gone by the time the push is sent.
     */
    public void revokeTokenAtDeletedApplication(
            ServiceToken token, ClientModel application, Instant cutoff, String reason) {
        String url = application.getAttribute(BACKCHANNEL_LOGOUT_URL);
        if (url == null || url.isBlank()) {
            return;
        }
        enqueue(
                token,
                serviceAccountId(token),
                List.of(application.getId()),
                Revoke.token,
                liveSecrets(token),
                cutoff,
                reason,
                new TokenNotice.DeletedApplication(application.getClientId(), url));
    }

    /** Only the JWTs minted with the given secrets, at every application of the token. */
    public void revokeSecrets(ServiceToken token, Collection<String> secretIds, Instant cutoff, String reason) {
        List<String> ids =
                secretIds.stream().filter(Objects::nonNull).distinct().toList();
        if (!ids.isEmpty()) {
            enqueue(token, serviceAccountId(token), token.applicationIds(), Revoke.secret, ids, cutoff, reason, null);
        }
    }

    /** Nothing revoked; the applications drop what they cached for the token and exchange afresh. */
    public void refresh(ServiceToken token, Collection<String> applications, Instant at, String reason) {
        enqueue(token, serviceAccountId(token), applications, Revoke.none, List.of(), at, reason, null);
    }

    /** The issuer an admin request implies, remembered for later background changes (see {@link RealmIssuer}). */
    public String requestIssuer() {
        return RealmIssuer.configuredOrFromRequest(session, realm);
    }

    private String serviceAccountId(ServiceToken token) {
        UserModel serviceAccount = session.users().getServiceAccount(token.client());
        return serviceAccount == null ? null : serviceAccount.getId();
    }

    private void enqueue(
            ServiceToken token,
            String subject,
            Collection<String> applications,
            Revoke revoke,
            List<String> secrets,
            Instant at,
            String reason,
            TokenNotice.DeletedApplication deleted) {
        if (subject == null || applications.isEmpty()) {
            return;
        }
        String issuer = RealmIssuer.configuredOrFromRequest(session, realm);
        if (issuer == null) {
            issuer = token.client().getAttribute(ISSUER_ATTRIBUTE);
        }
        String payload = new TokenNotice(
                        revoke,
                        subject,
                        token.id(),
                        token.clientId(),
                        reason,
                        secrets,
                        at.getEpochSecond(),
                        issuer,
                        deleted)
                .toJson();
        long now = System.currentTimeMillis();
        // Leased from the start: the node that made the change sends right after the commit; the job takes the
        // row over only if that did not happen within the lease (the node died, or the attempt failed).
        long leaseUntil = now + PushSender.instance().leaseMillis();
        List<String> ids = new ArrayList<>();
        for (String reference : new LinkedHashSet<>(applications)) {
            ClientModel application = application(reference);
            String url = application == null ? null : application.getAttribute(BACKCHANNEL_LOGOUT_URL);
            if (url == null || url.isBlank()) {
                continue;
            }
            String id = UUID.randomUUID().toString();
            PushOutbox.insert(
                    session,
                    new PushOutbox.Row(
                            id, realm.getId(), application.getId(), token.id(), payload, now, leaseUntil, 0));
            ids.add(id);
        }
        if (ids.isEmpty()) {
            return;
        }
        LOG.debugf(
                "Service token %s (%s): %d push(es) queued, revoke=%s", token.clientId(), reason, ids.size(), revoke);
        var factory = session.getKeycloakSessionFactory();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                PushSender.instance().deliver(factory, ids);
            }

            @Override
            protected void rollbackImpl() {
                // The rows went with the change.
            }
        });
    }

    private ClientModel application(String reference) {
        ClientModel byId = session.clients().getClientById(realm, reference);
        return byId != null ? byId : session.clients().getClientByClientId(realm, reference);
    }
}

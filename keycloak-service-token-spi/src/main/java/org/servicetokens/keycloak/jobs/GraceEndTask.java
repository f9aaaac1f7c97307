package org.servicetokens.keycloak.jobs;

import java.time.Instant;
import java.util.List;

import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.timer.ScheduledTask;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenAttributes;
import org.servicetokens.keycloak.model.ServiceTokenManager;

/**
 * Ends rotation grace periods that have run out: drops the previous secret's hash and pushes the revocation of the
 * JWTs minted with it (and only those), so applications stop honouring them. The authenticator already refuses the
 * old secret at the grace end by itself; this task tells the applications, within one interval of it. Runs on one
 * node. Cheap enough to run every few seconds: it reads only the tokens that have a previous secret.
 */
public final class GraceEndTask implements ScheduledTask {

    @Override
    public void run(KeycloakSession session) {
        Instant now = Instant.now();
        List<Object[]> inGrace = session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createQuery("select a.client.id, a.client.realmId from ClientAttributeEntity a where a.name = :name",
                        Object[].class)
                .setParameter("name", ServiceTokenAttributes.PREVIOUS_SECRET_HASH)
                .getResultList();
        for (Object[] row : inGrace) {
            RealmModel realm = session.realms().getRealm((String) row[1]);
            if (realm == null) {
                continue;
            }
            session.getContext().setRealm(realm);
            ServiceToken.of(session.clients().getClientById(realm, (String) row[0]))
                    .filter(token -> token.previousSecretHash() != null && !token.previousSecretValid(now))
                    .ifPresent(token -> new ServiceTokenManager(session, realm).endGrace(token, now));
        }
    }

    @Override
    public String getTaskName() {
        return "service-token-grace-end";
    }
}

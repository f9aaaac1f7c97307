package org.servicetokens.keycloak.jobs;

import java.time.Instant;
import java.util.List;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.timer.ScheduledTask;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenAttributes;

/**
 * Ends rotation grace periods that have run out: drops the previous secret's hash and pushes the revocation of the
 * JWTs minted with it (and only those), so applications stop honouring them. The authenticator already refuses the
 * old secret at the grace end by itself; this task tells the applications, within one interval of it. Every node runs
 * it on its own timer. Cheap enough to run every few seconds: it reads only the tokens that have a previous secret. Each ending is
 * one {@link LockedTokenChange} (the token's row lock, the token as stored, the change and its push committed
 * together), so an admin rotating or deleting the token at that moment is never failed by the job: the job leaves
 * the token for its next round, or finds it gone. The same lock makes each ending happen once in the cluster: a
 * second node reads the token as stored under the lock and finds its grace already ended (and its push rows written).
 */
public final class GraceEndTask implements ScheduledTask {

    @Override
    public void run(KeycloakSession session) {
        Instant now = Instant.now();
        List<Object[]> inGrace = session.getProvider(JpaConnectionProvider.class)
                .getEntityManager()
                .createQuery(
                        "select a.client.id, a.client.realmId from ClientAttributeEntity a where a.name = :name",
                        Object[].class)
                .setParameter("name", ServiceTokenAttributes.PREVIOUS_SECRET_HASH)
                .getResultList();
        for (Object[] row : inGrace) {
            RealmModel realm = session.realms().getRealm((String) row[1]);
            if (realm == null) {
                continue;
            }
            session.getContext().setRealm(realm);
            boolean due = ServiceToken.of(session.clients().getClientById(realm, (String) row[0]))
                    .filter(token -> graceOver(token, now))
                    .isPresent();
            if (due) {
                LockedTokenChange.run(
                        session.getKeycloakSessionFactory(),
                        realm.getId(),
                        (String) row[0],
                        "grace end",
                        (s, r, manager, locked) -> {
                            // Read again under the lock: an admin may have rotated or moved the grace end meanwhile.
                            if (graceOver(locked, now)) {
                                manager.endGrace(
                                        locked,
                                        now,
                                        LastUsedTracker.instance()
                                                .previousSecretUse(r, locked)
                                                .orElse(null));
                            }
                        });
            }
        }
    }

    private static boolean graceOver(ServiceToken token, Instant now) {
        return token.previousSecretHash() != null && !token.previousSecretValid(now);
    }

    @Override
    public String getTaskName() {
        return "service-token-grace-end";
    }
}

package org.servicetokens.keycloak.jobs;

import java.time.Instant;

import org.keycloak.models.KeycloakSession;
import org.keycloak.timer.ScheduledTask;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenManager;

/**
 * Ends rotation grace periods that have run out: drops the previous secret's hash and pushes the revocation,
 * so applications stop honouring JWTs minted with the old secret. The authenticator already refuses the old
 * secret at the grace end by itself; this task only tells the applications. The cut-off is the time of the push,
 * not the grace end, so a logout token is never older than its receivers' freshness window. Runs on one node.
 */
public final class GraceEndTask implements ScheduledTask {

    @Override
    public void run(KeycloakSession session) {
        Instant now = Instant.now();
        session.realms().getRealmsStream().forEach(realm -> {
            ServiceTokenManager manager = new ServiceTokenManager(session, realm);
            manager.list()
                    .filter(token -> token.previousSecretHash() != null && !token.previousSecretValid(now))
                    .forEach(token -> {
                        session.getContext().setRealm(realm);
                        manager.endGrace(token, now);
                    });
        });
    }

    @Override
    public String getTaskName() {
        return "service-token-grace-end";
    }
}

package org.servicetokens.keycloak.jobs;

import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.servicetokens.keycloak.model.ConcurrentChangeException;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.service.ServiceTokenManager;

/**
 * One background write to one token, the way the admin API writes: in its own transaction, under the token's
 * row lock, on the token as stored now. A job that wrote many tokens in one unlocked transaction lost every write
 * of the run when one token was deleted meanwhile (a foreign-key failure at commit, logged with a stack trace),
 * and could make that concurrent admin delete fail in turn. Now a busy token is left for the next run, a deleted
 * one is skipped, and a failure is one log line about one token.
 */
final class LockedTokenChange {

    /** What became of the change. */
    enum Outcome {
        DONE,
        GONE,
        BUSY,
        FAILED
    }

    @FunctionalInterface
    interface Change {
        void apply(KeycloakSession session, RealmModel realm, ServiceTokenManager manager, ServiceToken token);
    }

    private static final Logger LOG = Logger.getLogger(LockedTokenChange.class);

    private LockedTokenChange() {}

    /**
     * Runs {@code change} on the token with internal id {@code tokenId} of realm {@code realmId}.
     *
     * @param what names the change in the log line of a failure, e.g. "last-used flush"
     */
    static Outcome run(KeycloakSessionFactory factory, String realmId, String tokenId, String what, Change change) {
        try {
            return KeycloakModelUtils.runJobInTransactionWithResult(factory, session -> {
                RealmModel realm = session.realms().getRealm(realmId);
                if (realm == null) {
                    return Outcome.GONE;
                }
                session.getContext().setRealm(realm);
                ServiceTokenManager manager = new ServiceTokenManager(session, realm);
                return manager.lock(tokenId)
                        .map(token -> {
                            change.apply(session, realm, manager, token);
                            return Outcome.DONE;
                        })
                        .orElse(Outcome.GONE);
            });
        } catch (ConcurrentChangeException busy) {
            return Outcome.BUSY;
        } catch (RuntimeException failed) {
            LOG.warnf(
                    "The %s of service token %s failed; the next run tries again: %s",
                    what, tokenId, failed.toString());
            return Outcome.FAILED;
        }
    }
}

package org.servicetokens.keycloak.model;

import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import java.util.List;
import java.util.Optional;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.cache.CacheRealmProvider;

/**
 * One change at a time per token. Twenty parallel deletes used to race into Hibernate's optimistic-lock failure
 * at commit (a 500 each); now every change first takes the client's row lock without waiting
 * ({@code FOR UPDATE NOWAIT}): the loser gets {@link ConcurrentChangeException} (409), and a change that comes
 * after a delete has committed finds no row (404). Once locked, the token is read past the client cache, so a
 * change never starts from a state another node has already replaced.
 */
public final class TokenLock {

    private static final String LOCK_TIMEOUT_HINT = "jakarta.persistence.lock.timeout";

    private TokenLock() {}

    /**
     * @return the token as stored, locked until the transaction ends; empty when there is no such token in the realm
     * @throws ConcurrentChangeException when another transaction holds the lock
     */
    public static Optional<ServiceToken> lock(KeycloakSession session, RealmModel realm, String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return Optional.empty();
        }
        List<String> clientIds;
        try {
            clientIds = session.getProvider(JpaConnectionProvider.class)
                    .getEntityManager()
                    .createQuery(
                            "select c.clientId from ClientEntity c where c.id = :id and c.realmId = :realm",
                            String.class)
                    .setParameter("id", id)
                    .setParameter("realm", realm.getId())
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .setHint(LOCK_TIMEOUT_HINT, 0)
                    .getResultList();
        } catch (PersistenceException locked) {
            throw new ConcurrentChangeException();
        }
        if (clientIds.isEmpty()) {
            return Optional.empty();
        }
        CacheRealmProvider cache = session.getProvider(CacheRealmProvider.class);
        if (cache != null) {
            cache.registerClientInvalidation(id, clientIds.get(0), realm.getId());
        }
        return ServiceToken.of(session.clients().getClientById(realm, id));
    }
}

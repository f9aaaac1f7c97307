package org.servicetokens.keycloak.jobs;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.timer.ScheduledTask;
import org.servicetokens.keycloak.model.ServiceToken;

/**
 * Last-used times without a database write per token request: the authenticator records into memory, and a
 * task on each node flushes once a minute, writing a token only when its stored time is a minute or more older.
 * Every node flushes what it saw; a write never moves the stored time backwards, so nodes cannot undo each other.
 */
public final class LastUsedTracker implements ScheduledTask {

    public static final long FLUSH_INTERVAL_MILLIS = 60_000;
    private static final long MIN_STORED_DELTA_SECONDS = 60;
    private static final LastUsedTracker INSTANCE = new LastUsedTracker();

    private record Key(String realmId, String clientUuid) {
    }

    private final Map<Key, Instant> pending = new ConcurrentHashMap<>();

    private LastUsedTracker() {
    }

    public static LastUsedTracker instance() {
        return INSTANCE;
    }

    public void record(String realmId, String clientUuid, Instant at) {
        pending.merge(new Key(realmId, clientUuid), at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** The freshest time this node knows: recorded but not yet flushed, else stored. */
    public Optional<Instant> lastUsed(RealmModel realm, ServiceToken token) {
        Instant seen = pending.get(new Key(realm.getId(), token.id()));
        Optional<Instant> stored = token.lastUsedAt();
        if (seen == null) {
            return stored;
        }
        return Optional.of(stored.filter(s -> s.isAfter(seen)).orElse(seen));
    }

    @Override
    public void run(KeycloakSession session) {
        for (Key key : pending.keySet()) {
            Instant seen = pending.remove(key);
            if (seen == null) {
                continue;
            }
            RealmModel realm = session.realms().getRealm(key.realmId());
            if (realm == null) {
                continue;
            }
            ServiceToken.of(session.clients().getClientById(realm, key.clientUuid())).ifPresent(token -> {
                boolean stale = token.lastUsedAt()
                        .map(stored -> seen.getEpochSecond() - stored.getEpochSecond() >= MIN_STORED_DELTA_SECONDS)
                        .orElse(true);
                if (stale) {
                    token.setLastUsedAt(seen);
                }
            });
        }
    }

    @Override
    public String getTaskName() {
        return "service-token-last-used-flush";
    }
}

package org.servicetokens.keycloak.jobs;

import java.time.Instant;
import java.util.List;
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

    private static final long DEFAULT_FLUSH_INTERVAL_SECONDS = 60;
    private static final long MIN_STORED_DELTA_SECONDS = 60;
    private static final LastUsedTracker INSTANCE = new LastUsedTracker();

    private record Key(String realmId, String clientUuid) {
    }

    private final Map<Key, Instant> pending = new ConcurrentHashMap<>();
    private volatile long flushIntervalMillis = DEFAULT_FLUSH_INTERVAL_SECONDS * 1000;

    private LastUsedTracker() {
    }

    public static LastUsedTracker instance() {
        return INSTANCE;
    }

    /**
     * Sets how often this node flushes, from the SPI option
     * {@code --spi-client-authenticator--service-token--last-used-flush-interval} (seconds, default 60, at least 1).
     */
    public void configure(Long flushIntervalSeconds) {
        long seconds = flushIntervalSeconds == null ? DEFAULT_FLUSH_INTERVAL_SECONDS : Math.max(1, flushIntervalSeconds);
        flushIntervalMillis = seconds * 1000;
    }

    public long flushIntervalMillis() {
        return flushIntervalMillis;
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

    /**
     * Writes each token whose stored time is stale, each in its own locked transaction ({@link LockedTokenChange}):
     * a token being changed by an admin keeps its time for the next flush, a deleted one is dropped.
     */
    @Override
    public void run(KeycloakSession session) {
        for (Key key : List.copyOf(pending.keySet())) {
            Instant seen = pending.remove(key);
            if (seen == null) {
                continue;
            }
            RealmModel realm = session.realms().getRealm(key.realmId());
            Optional<ServiceToken> cached = realm == null ? Optional.empty()
                    : ServiceToken.of(session.clients().getClientById(realm, key.clientUuid()));
            if (cached.isEmpty() || !stale(cached.get(), seen)) {
                continue;
            }
            LockedTokenChange.Outcome outcome = LockedTokenChange.run(session.getKeycloakSessionFactory(), key.realmId(),
                    key.clientUuid(), "last-used flush", (s, r, manager, token) -> {
                        if (stale(token, seen)) {
                            token.setLastUsedAt(seen);
                        }
                    });
            if (outcome == LockedTokenChange.Outcome.BUSY || outcome == LockedTokenChange.Outcome.FAILED) {
                record(key.realmId(), key.clientUuid(), seen);
            }
        }
    }

    private static boolean stale(ServiceToken token, Instant seen) {
        return token.lastUsedAt()
                .map(stored -> seen.getEpochSecond() - stored.getEpochSecond() >= MIN_STORED_DELTA_SECONDS)
                .orElse(true);
    }

    @Override
    public String getTaskName() {
        return "service-token-last-used-flush";
    }
}

package org.servicetokens.keycloak.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.timer.ScheduledTask;
import org.servicetokens.keycloak.model.SecretUse;
import org.servicetokens.keycloak.model.ServiceToken;

/**
 * Last use, per token and per secret, without a database write per token request: the authenticator records each
 * accepted request in memory ({@link #record}: time, client address, user agent, one more in the count), keyed by
 * the hash of the secret that matched; a task on each node flushes what it holds. A token is written at most once
 * per {@value #MIN_WRITE_INTERVAL_SECONDS} seconds by each node: what arrives meanwhile stays in memory (its
 * counts summed) until the next allowed write. A write adds this node's count to the stored one and keeps the later
 * of the stored and the recorded time (so nodes cannot undo each other, and never move a time backwards); the use
 * goes to the secret that now has that hash: the current one, the previous one (after a rotation with grace), or
 * nowhere once that secret is retired (only the token's {@code lastUsedAt} keeps it). Each write logs one debug
 * line, {@code Stored the secret use of service token <clientId>}.
 */
public final class LastUsedTracker implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(LastUsedTracker.class);
    private static final long DEFAULT_FLUSH_INTERVAL_SECONDS = 60;
    /** Per node and token: a token's attributes are written at most this often by one node. */
    static final long MIN_WRITE_INTERVAL_SECONDS = 60;

    private static final LastUsedTracker INSTANCE = new LastUsedTracker();

    private record TokenKey(String realmId, String clientUuid) {}

    /** One secret of one token; the hash, never the secret. */
    private record Key(TokenKey token, String secretHash) {}

    private final Map<Key, SecretUse> pending = new ConcurrentHashMap<>();
    private final Map<TokenKey, Instant> lastWrite = new ConcurrentHashMap<>();
    private volatile long flushIntervalMillis = DEFAULT_FLUSH_INTERVAL_SECONDS * 1000;

    private LastUsedTracker() {}

    public static LastUsedTracker instance() {
        return INSTANCE;
    }

    /**
     * Sets how often this node flushes, from the SPI option
     * {@code --spi-client-authenticator--service-token--last-used-flush-interval} (seconds, default 60, at least 1).
     * Whatever the interval, a token is written at most once a minute per node.
     */
    public void configure(Long flushIntervalSeconds) {
        long seconds =
                flushIntervalSeconds == null ? DEFAULT_FLUSH_INTERVAL_SECONDS : Math.max(1, flushIntervalSeconds);
        flushIntervalMillis = seconds * 1000;
    }

    public long flushIntervalMillis() {
        return flushIntervalMillis;
    }

    /**
     * One accepted token request.
     *
     * @param secretHash the {@code TokenSecrets.hash} of the secret that matched (current or previous)
     * @param address    the client address Keycloak resolved, or null
     * @param userAgent  the request's {@code User-Agent} as sent (cleaned and bounded here), or null
     */
    public void record(
            String realmId, String clientUuid, String secretHash, Instant at, String address, String userAgent) {
        if (secretHash == null) {
            return;
        }
        pending.merge(
                new Key(new TokenKey(realmId, clientUuid), secretHash),
                SecretUse.once(at, address, userAgent),
                SecretUse::merge);
    }

    /** The freshest last use this node knows of any secret of the token: recorded but not yet flushed, else stored. */
    public Optional<Instant> lastUsed(RealmModel realm, ServiceToken token) {
        Instant latest = token.lastUsedAt().orElse(null);
        TokenKey tokenKey = new TokenKey(realm.getId(), token.id());
        for (Map.Entry<Key, SecretUse> entry : pending.entrySet()) {
            if (entry.getKey().token().equals(tokenKey)
                    && (latest == null || entry.getValue().at().isAfter(latest))) {
                latest = entry.getValue().at();
            }
        }
        return Optional.ofNullable(latest);
    }

    /** The current secret's use: stored, plus what this node recorded and has not written yet. */
    public Optional<SecretUse> secretUse(RealmModel realm, ServiceToken token) {
        return Optional.ofNullable(
                SecretUse.merge(token.secretUse().orElse(null), pendingFor(realm, token, token.secretHash())));
    }

    /** The previous secret's use (during a grace period): stored, plus this node's unwritten part; empty without one. */
    public Optional<SecretUse> previousSecretUse(RealmModel realm, ServiceToken token) {
        if (token.previousSecretHash() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(SecretUse.merge(
                token.previousSecretUse().orElse(null), pendingFor(realm, token, token.previousSecretHash())));
    }

    private SecretUse pendingFor(RealmModel realm, ServiceToken token, String secretHash) {
        return secretHash == null ? null : pending.get(new Key(new TokenKey(realm.getId(), token.id()), secretHash));
    }

    /**
     * Writes each token that has unwritten uses and that this node has not written in the last minute, each in its
     * own locked transaction ({@link LockedTokenChange}): a token being changed by an admin keeps its uses for the
     * next flush, a deleted one is dropped.
     */
    @Override
    public void run(KeycloakSession session) {
        Instant now = Instant.now();
        lastWrite
                .values()
                .removeIf(at -> at.plusSeconds(MIN_WRITE_INTERVAL_SECONDS).isBefore(now));
        Map<TokenKey, List<Key>> byToken = new LinkedHashMap<>();
        for (Key key : pending.keySet()) {
            byToken.computeIfAbsent(key.token(), t -> new ArrayList<>()).add(key);
        }
        byToken.forEach((token, keys) -> {
            if (!lastWrite.containsKey(token)) {
                flush(session, token, keys, now);
            }
        });
    }

    private void flush(KeycloakSession session, TokenKey tokenKey, List<Key> keys, Instant now) {
        Map<String, SecretUse> uses = new LinkedHashMap<>();
        for (Key key : keys) {
            SecretUse use = pending.remove(key);
            if (use != null) {
                uses.put(key.secretHash(), use);
            }
        }
        if (uses.isEmpty()) {
            return;
        }
        String[] clientId = new String[1];
        LockedTokenChange.Outcome outcome = LockedTokenChange.run(
                session.getKeycloakSessionFactory(),
                tokenKey.realmId(),
                tokenKey.clientUuid(),
                "last-used flush",
                (s, r, manager, token) -> {
                    clientId[0] = token.clientId();
                    Instant latest = null;
                    for (Map.Entry<String, SecretUse> use : uses.entrySet()) {
                        Instant at = use.getValue().at();
                        latest = latest == null || at.isAfter(latest) ? at : latest;
                        if (use.getKey().equals(token.secretHash())) {
                            token.setSecretUse(SecretUse.merge(token.secretUse().orElse(null), use.getValue()));
                        } else if (use.getKey().equals(token.previousSecretHash())) {
                            token.setPreviousSecretUse(
                                    SecretUse.merge(token.previousSecretUse().orElse(null), use.getValue()));
                        }
                    }
                    Instant stored = token.lastUsedAt().orElse(null);
                    if (latest != null && (stored == null || latest.isAfter(stored))) {
                        token.setLastUsedAt(latest);
                    }
                });
        if (outcome == LockedTokenChange.Outcome.DONE) {
            lastWrite.put(tokenKey, now);
            LOG.debugf("Stored the secret use of service token %s", clientId[0]);
        } else if (outcome == LockedTokenChange.Outcome.BUSY || outcome == LockedTokenChange.Outcome.FAILED) {
            uses.forEach((hash, use) -> pending.merge(new Key(tokenKey, hash), use, SecretUse::merge));
        }
    }

    @Override
    public String getTaskName() {
        return "service-token-last-used-flush";
    }
}

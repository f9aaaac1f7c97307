package org.servicetokens.keycloak.model;

import static org.servicetokens.keycloak.model.ServiceTokenAttributes.*;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

/**
 * A service token is a Keycloak client marked with our attribute; this class is the typed view over its
 * attributes. It never holds a secret, only hashes. Every reader fails closed: an unreadable expiry counts as
 * expired, an unreadable previous secret as ended, an unreadable application list as empty, and
 * {@link #attributeProblems()} says which attribute could not be read.
 */
public final class ServiceToken {

    /** {@code broken}: the authenticator refuses the token until an admin fixes what {@link TokenHealth} reports. */
    public enum Status {
        active,
        expired,
        disabled,
        broken
    }

    private static final int SHA256_BYTES = 32;

    private final ClientModel client;

    private ServiceToken(ClientModel client) {
        this.client = client;
    }

    /** Marked as a service token, whatever its authenticator type now says (a changed type is a problem, not an exit). */
    public static boolean isServiceToken(ClientModel client) {
        return client != null && "true".equals(client.getAttribute(MARKER));
    }

    /** The typed view of {@code client}; empty when it is null or not a service token. */
    public static Optional<ServiceToken> of(ClientModel client) {
        return isServiceToken(client) ? Optional.of(new ServiceToken(client)) : Optional.empty();
    }

    /** The Keycloak client this token is. */
    public ClientModel client() {
        return client;
    }

    /** The client's internal id (a UUID): the token's id in the API and in the {@code service_token} claim. */
    public String id() {
        return client.getId();
    }

    /** The client ID the bot authenticates with, e.g. {@code ci-deployer-k3j9x2mq}. */
    public String clientId() {
        return client.getClientId();
    }

    /** The display name an admin gave it. */
    public String name() {
        return client.getName();
    }

    /** The admin's description, or null. */
    public String description() {
        return client.getDescription();
    }

    /** False once disabled (by an admin or the inactivity rule): the authenticator refuses it. */
    public boolean enabled() {
        return client.isEnabled();
    }

    /** Empty when the token never expires, or when the attribute is unreadable (then {@link #isExpired} is true). */
    public Optional<Instant> expiresAt() {
        return instant(EXPIRES_AT);
    }

    /** The grace end of the previous secret; empty when there is none or it is unreadable. */
    public Optional<Instant> previousSecretExpiresAt() {
        return instant(PREVIOUS_EXPIRES_AT);
    }

    /** When it was created; empty when unknown or unreadable. */
    public Optional<Instant> createdAt() {
        return instant(CREATED_AT);
    }

    /** The last successful token request as stored (flushed at most once a minute per node); empty when never used. */
    public Optional<Instant> lastUsedAt() {
        return instant(LAST_USED_AT);
    }

    /** The current secret's use as stored (see {@link SecretUse}); empty when not used since it was issued, or unreadable. */
    public Optional<SecretUse> secretUse() {
        return SecretUse.parse(client.getAttribute(SECRET_USE));
    }

    /** The previous secret's use as stored; empty when there is no previous secret or it was not used since the rotation. */
    public Optional<SecretUse> previousSecretUse() {
        return previousSecretHash() == null
                ? Optional.empty()
                : SecretUse.parse(client.getAttribute(PREVIOUS_SECRET_USE));
    }

    /** Stores the current secret's use; null removes it (a new secret has not been used). */
    public void setSecretUse(SecretUse use) {
        setOrRemove(SECRET_USE, use == null ? null : use.format());
    }

    /** Stores the previous secret's use; null removes it. */
    public void setPreviousSecretUse(SecretUse use) {
        setOrRemove(PREVIOUS_SECRET_USE, use == null ? null : use.format());
    }

    /**
     * The networks the token may be used from ({@link AllowedNetworks#ANY} when not restricted). An unreadable list
     * reads as allowing nothing (fail closed) and is reported by {@link #attributeProblems()}.
     */
    public AllowedNetworks networks() {
        return AllowedNetworks.readStored(client.getAttribute(NETWORKS)).orElse(AllowedNetworks.NOTHING);
    }

    /** Stores the networks in normal form; {@link AllowedNetworks#ANY} removes the restriction. */
    public void setNetworks(AllowedNetworks networks) {
        setOrRemove(NETWORKS, networks.format());
    }

    /** The owners' e-mail addresses (validated when set); empty when none, or when the stored list is unreadable. */
    public List<String> owners() {
        return ApplicationList.parse(client.getAttribute(OWNERS)).orElse(List.of());
    }

    /** Stores the owners; an empty list removes them. */
    public void setOwners(List<String> owners) {
        setOrRemove(OWNERS, owners == null || owners.isEmpty() ? null : ApplicationList.format(owners));
    }

    /**
     * The token's own inactivity rule, when it overrides the realm's; empty when the realm's applies (also when the
     * stored override cannot be read: the realm's rule is the fallback, and the daily round never guesses an action).
     */
    public Optional<InactivityRule> inactivityRule() {
        String days = client.getAttribute(INACTIVITY_DAYS);
        String action = client.getAttribute(INACTIVITY_ACTION);
        if (days == null || action == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new InactivityRule(
                    Integer.parseInt(days.strip()), ServiceTokenSettings.InactivityAction.parse(action)));
        } catch (IllegalArgumentException corrupt) {
            return Optional.empty();
        }
    }

    /** Sets the token's own inactivity rule; null returns it to the realm's. */
    public void setInactivityRule(InactivityRule rule) {
        setOrRemove(INACTIVITY_DAYS, rule == null ? null : Integer.toString(rule.days()));
        setOrRemove(INACTIVITY_ACTION, rule == null ? null : rule.action().name());
    }

    /** The username of the admin who created it, or null. */
    public String createdBy() {
        return client.getAttribute(CREATED_BY);
    }

    /** That admin's email when it was created (expiry warnings go there too), or null. */
    public String createdByEmail() {
        return client.getAttribute(CREATED_BY_EMAIL);
    }

    /** Base64url SHA-256 of the current secret ({@link TokenSecrets#hash}), or null when missing. */
    public String secretHash() {
        return client.getAttribute(SECRET_HASH);
    }

    /** Base64url SHA-256 of the previous secret, or null when there is none. */
    public String previousSecretHash() {
        return client.getAttribute(PREVIOUS_SECRET_HASH);
    }

    /** Starts at 0; see {@link ServiceTokenAttributes#GENERATION}. An unreadable value counts as 0. */
    public long generation() {
        String value = client.getAttribute(GENERATION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException corrupt) {
            return 0;
        }
    }

    /** Starts a new generation: JWTs minted from now on carry new secret ids. */
    public void nextGeneration() {
        client.setAttribute(GENERATION, Long.toString(generation() + 1));
    }

    /** The {@link TokenSecrets#secretId} of the current secret, as JWTs minted with it now carry it. */
    public String currentSecretId() {
        return TokenSecrets.secretId(secretHash(), generation());
    }

    /** The {@link TokenSecrets#secretId} of the previous secret, or null when there is none. */
    public String previousSecretId() {
        return TokenSecrets.secretId(previousSecretHash(), generation());
    }

    /**
     * The internal ids of the applications. Before they were stored by id, they were stored as client-ID text:
     * such a list is resolved here to the clients that carry those IDs now (read-only; {@link #migrateApplications()}
     * stores the result). Unreadable lists read as empty.
     */
    public List<String> applicationIds() {
        String stored = client.getAttribute(APPLICATION_IDS);
        if (stored != null) {
            return ApplicationList.parse(stored).orElse(List.of());
        }
        RealmModel realm = client.getRealm();
        List<String> ids = new ArrayList<>();
        for (String clientId :
                ApplicationList.parse(client.getAttribute(LEGACY_APPLICATIONS)).orElse(List.of())) {
            ClientModel application = realm.getClientByClientId(clientId);
            if (application != null && !isServiceToken(application) && !ids.contains(application.getId())) {
                ids.add(application.getId());
            }
        }
        return List.copyOf(ids);
    }

    /** The applications' current client IDs (what {@code aud} carries): renames are followed, deleted clients left out. */
    public List<String> applications() {
        RealmModel realm = client.getRealm();
        return applicationIds().stream()
                .map(realm::getClientById)
                .filter(Objects::nonNull)
                .filter(application -> !isServiceToken(application))
                .map(ClientModel::getClientId)
                .toList();
    }

    /** Stores a legacy client-ID list as ids; true if anything was written. */
    public boolean migrateApplications() {
        if (client.getAttribute(LEGACY_APPLICATIONS) == null) {
            return false;
        }
        List<String> ids = applicationIds();
        setApplicationIds(ids);
        return true;
    }

    /** True when expired, and when the expiry cannot be read (fail closed). */
    public boolean isExpired(Instant now) {
        if (unreadable(EXPIRES_AT)) {
            return true;
        }
        return expiresAt().map(at -> !now.isBefore(at)).orElse(false);
    }

    /** The previous secret is honoured only while its grace end lies in the future and both its attributes read. */
    public boolean previousSecretValid(Instant now) {
        return previousSecretHash() != null
                && readableHash(previousSecretHash())
                && previousSecretExpiresAt().map(now::isBefore).orElse(false);
    }

    /** The lifecycle attributes that are present but cannot be read, each with what fixes it. */
    public List<Problem> attributeProblems() {
        List<Problem> problems = new ArrayList<>();
        if (unreadable(EXPIRES_AT)) {
            problems.add(new Problem(
                    "expiry_unreadable",
                    "The stored expiry (" + EXPIRES_AT + ") cannot be read; extend the token to set a new one.",
                    Problem.EXTEND));
        }
        if (secretHash() == null || !readableHash(secretHash())) {
            problems.add(new Problem(
                    "secret_hash_unreadable",
                    "The stored secret hash (" + SECRET_HASH
                            + ") is missing or unreadable; rotate the secret to issue a new one.",
                    Problem.ROTATE));
        }
        boolean previousHash = previousSecretHash() != null;
        boolean previousExpiry = client.getAttribute(PREVIOUS_EXPIRES_AT) != null;
        if (previousHash != previousExpiry
                || (previousHash && !readableHash(previousSecretHash()))
                || unreadable(PREVIOUS_EXPIRES_AT)) {
            problems.add(new Problem(
                    "previous_secret_unreadable",
                    "The previous secret (" + PREVIOUS_SECRET_HASH + ", " + PREVIOUS_EXPIRES_AT
                            + ") cannot be read; repair drops it.",
                    Problem.REPAIR));
        }
        if (unreadable(CREATED_AT)) {
            problems.add(new Problem(
                    "created_at_unreadable",
                    "The creation time (" + CREATED_AT + ") cannot be read; repair drops it.",
                    Problem.REPAIR));
        }
        String ids = client.getAttribute(APPLICATION_IDS);
        String legacy = client.getAttribute(LEGACY_APPLICATIONS);
        if ((ids != null && ApplicationList.parse(ids).isEmpty())
                || (ids == null
                        && legacy != null
                        && ApplicationList.parse(legacy).isEmpty())) {
            problems.add(new Problem(
                    "applications_unreadable",
                    "The application list (" + APPLICATION_IDS
                            + ") cannot be read; repair empties it (then set the applications again), or set them now.",
                    Problem.REPAIR));
        }
        if (AllowedNetworks.readStored(client.getAttribute(NETWORKS)).isEmpty()) {
            problems.add(new Problem(
                    "networks_unreadable",
                    "The allowed networks (" + NETWORKS
                            + ") cannot be read, so no address is allowed; set them again (PUT with 'networks').",
                    Problem.UPDATE));
        }
        return problems;
    }

    /** A new expiry ({@code null}: never); the expiry warnings start again for it. */
    public void setExpiresAt(Instant at) {
        setInstant(EXPIRES_AT, at);
        client.removeAttribute(EXPIRY_WARNED_DAYS);
    }

    /** The previous secret's hash and grace end; a null hash drops the previous secret. */
    public void setPreviousSecret(String hash, Instant graceEnd) {
        if (hash == null) {
            client.removeAttribute(PREVIOUS_SECRET_HASH);
            client.removeAttribute(PREVIOUS_EXPIRES_AT);
            client.removeAttribute(PREVIOUS_SECRET_USE);
        } else {
            client.setAttribute(PREVIOUS_SECRET_HASH, hash);
            setInstant(PREVIOUS_EXPIRES_AT, graceEnd);
        }
    }

    /** The current secret, as its {@link TokenSecrets#hash}. */
    public void setSecretHash(String hash) {
        client.setAttribute(SECRET_HASH, hash);
    }

    /** @param applicationIds internal ids of existing, non-token clients */
    public void setApplicationIds(List<String> applicationIds) {
        client.setAttribute(APPLICATION_IDS, ApplicationList.format(applicationIds));
        client.removeAttribute(LEGACY_APPLICATIONS);
    }

    /** Stores the last use (epoch seconds). */
    public void setLastUsedAt(Instant at) {
        setInstant(LAST_USED_AT, at);
    }

    /** See {@link ServiceTokenAttributes#EXPIRY_WARNED_DAYS}; empty when none was mailed or the value is unreadable. */
    public Optional<Integer> expiryWarnedDays() {
        String value = client.getAttribute(EXPIRY_WARNED_DAYS);
        try {
            return value == null ? Optional.empty() : Optional.of(Integer.parseInt(value));
        } catch (NumberFormatException corrupt) {
            return Optional.empty();
        }
    }

    /** Records that the warning at {@code days} before expiry was mailed. */
    public void setExpiryWarnedDays(int days) {
        client.setAttribute(EXPIRY_WARNED_DAYS, Integer.toString(days));
    }

    /** Restores the warning mark to {@code days} (empty: no warning yet), e.g. when a claimed mail could not be sent. */
    public void restoreExpiryWarnedDays(Optional<Integer> days) {
        if (days.isPresent()) {
            setExpiryWarnedDays(days.get());
        } else {
            client.removeAttribute(EXPIRY_WARNED_DAYS);
        }
    }

    private boolean unreadable(String attribute) {
        String value = client.getAttribute(attribute);
        return value != null && parseInstant(value) == null;
    }

    private Optional<Instant> instant(String attribute) {
        return Optional.ofNullable(parseInstant(client.getAttribute(attribute)));
    }

    /** Epoch seconds; null when absent or unreadable (callers that must tell the two apart use {@link #unreadable}). */
    private static Instant parseInstant(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(value.strip()));
        } catch (NumberFormatException | DateTimeException corrupt) {
            return null;
        }
    }

    private static boolean readableHash(String hash) {
        try {
            return Base64.getUrlDecoder().decode(hash).length == SHA256_BYTES;
        } catch (IllegalArgumentException corrupt) {
            return false;
        }
    }

    private void setOrRemove(String attribute, String value) {
        if (value == null) {
            client.removeAttribute(attribute);
        } else {
            client.setAttribute(attribute, value);
        }
    }

    private void setInstant(String attribute, Instant at) {
        if (at == null) {
            client.removeAttribute(attribute);
        } else {
            client.setAttribute(attribute, Long.toString(at.getEpochSecond()));
        }
    }
}

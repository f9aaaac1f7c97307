package org.servicetokens.keycloak.model;

import static org.servicetokens.keycloak.model.ServiceTokenAttributes.*;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.keycloak.models.ClientModel;
import org.servicetokens.keycloak.authenticator.ServiceTokenClientAuthenticatorFactory;

/**
 * A service token is a Keycloak client with our authenticator type and a few attributes; this class is the
 * typed view over them. It never holds a secret, only hashes.
 */
public final class ServiceToken {

    public enum Status { active, expired, disabled }

    private final ClientModel client;

    private ServiceToken(ClientModel client) {
        this.client = client;
    }

    public static boolean isServiceToken(ClientModel client) {
        return client != null
                && ServiceTokenClientAuthenticatorFactory.PROVIDER_ID.equals(client.getClientAuthenticatorType())
                && "true".equals(client.getAttribute(MARKER));
    }

    public static Optional<ServiceToken> of(ClientModel client) {
        return isServiceToken(client) ? Optional.of(new ServiceToken(client)) : Optional.empty();
    }

    public ClientModel client() {
        return client;
    }

    public String id() {
        return client.getId();
    }

    public String clientId() {
        return client.getClientId();
    }

    public String name() {
        return client.getName();
    }

    public String description() {
        return client.getDescription();
    }

    public boolean enabled() {
        return client.isEnabled();
    }

    public Optional<Instant> expiresAt() {
        return instant(EXPIRES_AT);
    }

    public Optional<Instant> previousSecretExpiresAt() {
        return instant(PREVIOUS_EXPIRES_AT);
    }

    public Optional<Instant> createdAt() {
        return instant(CREATED_AT);
    }

    public Optional<Instant> lastUsedAt() {
        return instant(LAST_USED_AT);
    }

    public String createdBy() {
        return client.getAttribute(CREATED_BY);
    }

    public String createdByEmail() {
        return client.getAttribute(CREATED_BY_EMAIL);
    }

    public String secretHash() {
        return client.getAttribute(SECRET_HASH);
    }

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

    public List<String> applications() {
        return ApplicationList.parse(client.getAttribute(APPLICATIONS));
    }

    public boolean isExpired(Instant now) {
        return expiresAt().map(at -> !now.isBefore(at)).orElse(false);
    }

    public Status status(Instant now) {
        if (!enabled()) {
            return Status.disabled;
        }
        return isExpired(now) ? Status.expired : Status.active;
    }

    /** The previous secret is honoured only while its grace end lies in the future. */
    public boolean previousSecretValid(Instant now) {
        return previousSecretHash() != null
                && previousSecretExpiresAt().map(now::isBefore).orElse(false);
    }

    public void setExpiresAt(Instant at) {
        setInstant(EXPIRES_AT, at);
        client.removeAttribute(EXPIRY_WARNED_DAYS);
    }

    public void setPreviousSecret(String hash, Instant graceEnd) {
        if (hash == null) {
            client.removeAttribute(PREVIOUS_SECRET_HASH);
            client.removeAttribute(PREVIOUS_EXPIRES_AT);
        } else {
            client.setAttribute(PREVIOUS_SECRET_HASH, hash);
            setInstant(PREVIOUS_EXPIRES_AT, graceEnd);
        }
    }

    public void setSecretHash(String hash) {
        client.setAttribute(SECRET_HASH, hash);
    }

    public void setApplications(List<String> applications) {
        client.setAttribute(APPLICATIONS, ApplicationList.format(applications));
    }

    public void setLastUsedAt(Instant at) {
        setInstant(LAST_USED_AT, at);
    }

    public Optional<Integer> expiryWarnedDays() {
        String value = client.getAttribute(EXPIRY_WARNED_DAYS);
        try {
            return value == null ? Optional.empty() : Optional.of(Integer.parseInt(value));
        } catch (NumberFormatException corrupt) {
            return Optional.empty();
        }
    }

    public void setExpiryWarnedDays(int days) {
        client.setAttribute(EXPIRY_WARNED_DAYS, Integer.toString(days));
    }

    private Optional<Instant> instant(String attribute) {
        String value = client.getAttribute(attribute);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(value)));
        } catch (NumberFormatException corrupt) {
            return Optional.empty();
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

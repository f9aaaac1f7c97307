package org.servicetokens.keycloak.service;

import static org.servicetokens.keycloak.model.ServiceTokenAttributes.*;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;
import org.servicetokens.keycloak.model.AllowedNetworks;
import org.servicetokens.keycloak.model.ConcurrentChangeException;
import org.servicetokens.keycloak.model.InternalChange;
import org.servicetokens.keycloak.model.SecretUse;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenProtocol;
import org.servicetokens.keycloak.model.TokenDuration;
import org.servicetokens.keycloak.model.TokenHealth;
import org.servicetokens.keycloak.model.TokenLock;
import org.servicetokens.keycloak.model.TokenSecrets;
import org.servicetokens.keycloak.revocation.TokenPushes;

/**
 * The lifecycle of service tokens in one realm: create, rotate, extend, update, revoke. Input is assumed
 * validated by the caller (the REST layer); this class enforces the invariants: a secret exists only in the
 * return value of {@link #create} and {@link #rotate}, and every change that must stop a credential working, or
 * that alters what the token's JWTs say, is pushed to the applications concerned ({@link TokenPushes}).
 */
public final class ServiceTokenManager {

    /**
     * A token with the secret just issued for it: the only value that ever holds a secret ({@code kcst_} + 43 base62
     * characters + a 6-character base62 CRC32, see {@link TokenSecrets}). Its {@code toString} leaves the secret out.
     */
    public record IssuedSecret(ServiceToken token, String secret) {
        @Override
        public String toString() {
            return "IssuedSecret[token=" + token.clientId() + "]";
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final TokenPushes pushes;

    /** The lifecycle of {@code realm}'s tokens within {@code session}'s transaction. */
    public ServiceTokenManager(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.pushes = new TokenPushes(session, realm);
    }

    /**
     * Every token of the realm. Keycloak's attribute search only allows attributes an operator whitelisted
     * (spi-client-jpa-searchable-attributes), so tokens are found by their authenticator type, an indexed-size
     * column of the client table, and then loaded through the client cache.
     *
     * @return the tokens sorted by name (case-insensitive), then client ID; broken ones included
     */
    public Stream<ServiceToken> list() {
        // By type or by marker: a token whose type was changed behind our back must still be listed (as broken).
        List<String> ids = session.getProvider(JpaConnectionProvider.class)
                .getEntityManager()
                .createQuery(
                        "select c.id from ClientEntity c where c.realmId = :realm and (c.clientAuthenticatorType = :type"
                                + " or exists (select a from ClientAttributeEntity a where a.client = c and a.name = :marker))",
                        String.class)
                .setParameter("realm", realm.getId())
                .setParameter("type", ServiceTokenProtocol.AUTHENTICATOR_ID)
                .setParameter("marker", MARKER)
                .getResultList();
        return ids.stream()
                .map(id -> session.clients().getClientById(realm, id))
                .map(ServiceToken::of)
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing((ServiceToken t) ->
                                t.name() == null ? "" : t.name().toLowerCase(Locale.ROOT))
                        .thenComparing(ServiceToken::clientId));
    }

    /** The token with internal id {@code id}, through the client cache; empty when there is none (or the id is over 64 characters). */
    public Optional<ServiceToken> find(String id) {
        if (id == null || id.length() > 64) {
            return Optional.empty();
        }
        return ServiceToken.of(session.clients().getClientById(realm, id));
    }

    /**
     * Locks the token's row for this transaction ({@code SELECT … FOR UPDATE NOWAIT}) and returns it as stored
     * now, not as cached: concurrent changes to one token are applied one at a time or refused.
     *
     * @return empty when the token does not exist (any more)
     * @throws ConcurrentChangeException when another transaction holds the token
     */
    public Optional<ServiceToken> lock(String id) {
        return TokenLock.lock(session, realm, id);
    }

    /**
     * A new token: a confidential client with a service account, every login flow off, no full scope, our claims
     * mapper, and no ordinary client secret. Its client ID is the name's slug plus 8 random characters.
     *
     * @param name           the validated display name (its slug, at most 40 characters, starts the client ID)
     * @param duration       how long it lives from {@code now}, or never
     * @param applicationIds internal ids of existing, non-token clients
     * @param creator        the admin creating it (recorded with its email for expiry warnings), or null
     * @return the token and its secret, the only time the secret exists in clear
     * @throws IllegalStateException when 10 random client IDs in a row were taken
     */
    public IssuedSecret create(
            String name,
            String description,
            TokenDuration duration,
            List<String> applicationIds,
            UserModel creator,
            Instant now) {
        ClientRepresentation rep = new ClientRepresentation();
        rep.setClientId(uniqueClientId(name));
        rep.setName(name);
        rep.setDescription(description);
        rep.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        rep.setEnabled(true);
        rep.setPublicClient(false);
        rep.setBearerOnly(false);
        rep.setClientAuthenticatorType(ServiceTokenProtocol.AUTHENTICATOR_ID);
        rep.setStandardFlowEnabled(false);
        rep.setImplicitFlowEnabled(false);
        rep.setDirectAccessGrantsEnabled(false);
        rep.setServiceAccountsEnabled(true);
        rep.setFullScopeAllowed(false);
        rep.setConsentRequired(false);
        rep.setFrontchannelLogout(false);
        rep.setAttributes(Map.of(
                "oauth2.device.authorization.grant.enabled", "false",
                "oidc.ciba.grant.enabled", "false",
                "standard.token.exchange.enabled", "false",
                "use.refresh.tokens", "false",
                "client_credentials.use_refresh_token", "false"));

        ClientModel client = InternalChange.run(session, () -> ClientManager.createClient(session, realm, rep));
        // The stock code path generates an ordinary plain-text secret for every confidential client. A service
        // token must never have one: GET /clients/{id}/client-secret would reveal it and the stock
        // client-secret authenticator would accept it.
        client.setSecret(null);
        client.setAttribute(MARKER, "true");
        new ClientManager(new RealmManager(session)).enableServiceAccount(client);
        client.addProtocolMapper(ServiceTokenProtocol.claimsMapper());

        ServiceToken token = ServiceToken.of(client).orElseThrow();
        String secret = TokenSecrets.generate();
        token.setSecretHash(TokenSecrets.hash(secret));
        token.setExpiresAt(duration.from(now).orElse(null));
        token.setApplicationIds(applicationIds);
        client.setAttribute(CREATED_AT, Long.toString(now.getEpochSecond()));
        rememberIssuer(token);
        if (creator != null) {
            client.setAttribute(CREATED_BY, creator.getUsername());
            if (creator.getEmail() != null) {
                client.setAttribute(CREATED_BY_EMAIL, creator.getEmail());
            }
        }
        return new IssuedSecret(token, secret);
    }

    /**
     * A new secret; the old one keeps working until {@code now + grace}. Without grace the old secret and every
     * JWT minted with it stop at once. A previous secret still in its grace is replaced, so its JWTs stop too.
     * JWTs minted with the new secret are never touched by these revocations: they name the secret that minted them.
     */
    public IssuedSecret rotate(ServiceToken token, java.time.Duration grace, Instant now) {
        String secret = TokenSecrets.generate();
        String retiredPrevious = token.previousSecretId();
        if (grace.isZero()) {
            String retiredCurrent = token.currentSecretId();
            token.setPreviousSecret(null, null);
            token.setSecretHash(TokenSecrets.hash(secret));
            token.setSecretUse(null);
            pushes.revokeSecrets(token, java.util.Arrays.asList(retiredCurrent, retiredPrevious), now, "rotated");
        } else {
            // The use of the secret that becomes the previous one goes with it: the console and the API then show
            // whether anything still uses the old secret during the grace period.
            SecretUse used = token.secretUse().orElse(null);
            token.setPreviousSecret(token.secretHash(), now.plus(grace));
            token.setPreviousSecretUse(used);
            token.setSecretHash(TokenSecrets.hash(secret));
            token.setSecretUse(null);
            if (retiredPrevious != null) {
                pushes.revokeSecrets(token, List.of(retiredPrevious), now, "previous-secret-replaced");
            }
            rememberIssuer(token);
        }
        return new IssuedSecret(token, secret);
    }

    /**
     * Moves the grace end of the previous secret; a time not in the future ends it now (see {@link #endGrace(ServiceToken,
     * Instant, SecretUse)}).
     *
     * @param previousUse the previous secret's use as known now (stored plus not yet written), or null
     */
    public void setPreviousSecretExpiry(ServiceToken token, Instant expiresAt, Instant now, SecretUse previousUse) {
        if (!expiresAt.isAfter(now)) {
            endGrace(token, now, previousUse);
        } else {
            token.setPreviousSecret(token.previousSecretHash(), expiresAt);
        }
    }

    /** {@link #endGrace(ServiceToken, Instant, SecretUse)} with the previous secret's use as stored. */
    public void endGrace(ServiceToken token, Instant now) {
        endGrace(token, now, token.previousSecretUse().orElse(null));
    }

    /**
     * Drops the previous secret and tells the applications that JWTs minted with it are void (and only those). When
     * the previous secret was used in the last hour, an admin event says so ({@code service-tokens/{id}/grace-ended-in-use}).
     *
     * @param previousUse the previous secret's use as known now (stored plus what this node has not written yet), or null
     */
    public void endGrace(ServiceToken token, Instant now, SecretUse previousUse) {
        if (token.previousSecretHash() != null) {
            GraceEndWarning.raiseIfInUse(session, realm, token, previousUse, now);
        }
        String retired = token.previousSecretId();
        token.setPreviousSecret(null, null);
        if (retired != null) {
            pushes.revokeSecrets(token, List.of(retired), now, "grace-period-ended");
        }
    }

    /** A new expiry; applications drop what they cached for the token (an expired token may work again). */
    public void extend(ServiceToken token, TokenDuration duration, Instant now) {
        token.setExpiresAt(duration.from(now).orElse(null));
        pushes.refresh(token, token.applicationIds(), now, "extended");
    }

    /**
     * Every change that alters what the token's next JWT would say reaches the applications concerned: removed
     * applications (and all of them on disable) revoke every JWT of the token; added applications (and all of them on
     * enable or rename) drop what they cached and exchange afresh. Revoking everything starts a new generation, so
     * the JWTs of a later re-enable or re-adding are not caught by it.
     *
     * @param applicationIds internal ids of existing, non-token clients, or null to keep them
     */
    public void update(
            ServiceToken token,
            String name,
            String description,
            Boolean enabled,
            List<String> applicationIds,
            Instant now) {
        ClientModel client = token.client();
        List<String> before = token.applicationIds();
        boolean renamed = name != null && !name.equals(client.getName());
        boolean disabling = enabled != null && !enabled && client.isEnabled();
        boolean enabling = enabled != null && enabled && !client.isEnabled();
        if (name != null) {
            client.setName(name);
        }
        if (description != null) {
            client.setDescription(description);
        }
        // By internal id: a renamed application is the same application, and TokenPushes resolves ids.
        List<String> after = applicationIds == null ? before : applicationIds;
        List<String> removed = before.stream().filter(a -> !after.contains(a)).toList();
        List<String> added = after.stream().filter(a -> !before.contains(a)).toList();
        List<String> revokeAt = disabling ? before : removed;
        if (!revokeAt.isEmpty()) {
            pushes.revokeToken(token, revokeAt, now, disabling ? "disabled" : "application-removed");
            token.nextGeneration();
        }
        if (applicationIds != null) {
            token.setApplicationIds(applicationIds);
        }
        if (enabled != null && enabled != client.isEnabled()) {
            client.setEnabled(enabled);
        }
        if (!disabling) {
            List<String> refreshAt = enabling || renamed ? after : added;
            if (!refreshAt.isEmpty()) {
                pushes.refresh(token, refreshAt, now, enabling ? "enabled" : renamed ? "renamed" : "application-added");
            }
        }
    }

    /**
     * New allowed networks. They change what the token's JWTs say ({@code service_token.networks}), and a JWT minted
     * under wider networks must not outlive the narrowing: every JWT of the token is revoked at its applications and
     * a new generation starts, so the bots exchange afresh and the sidecars check the new list.
     *
     * @return true when the networks changed
     */
    public boolean setNetworks(ServiceToken token, AllowedNetworks networks, Instant now) {
        if (token.networks().equals(networks)) {
            return false;
        }
        token.setNetworks(networks);
        List<String> applications = token.applicationIds();
        if (!applications.isEmpty()) {
            pushes.revokeToken(token, applications, now, "networks-changed");
        }
        token.nextGeneration();
        return true;
    }

    /** Deletes the token's client; every JWT of the token is revoked at its applications first ({@link TokenPushes}). */
    public void delete(ServiceToken token, Instant now) {
        // Build the logout tokens while the service-account user still exists: its id is their subject.
        pushes.revokeToken(token, token.applicationIds(), now, "deleted");
        InternalChange.run(
                session, () -> new ClientManager(new RealmManager(session)).removeClient(realm, token.client()));
    }

    /**
     * Fixes what {@link TokenHealth#repair} can (service account, authenticator type, flows, mappers, an unreadable
     * previous secret, creation time or application list), as the provider's own change.
     *
     * @return the reasons that were repaired; empty when there was nothing to repair
     */
    public List<String> repair(ServiceToken token) {
        return InternalChange.run(session, () -> TokenHealth.repair(session, token));
    }

    /**
     * Stores every application list of the realm's tokens that still names applications by client ID (as before
     * 0.2) by internal id instead; run at start-up.
     *
     * @return how many tokens were rewritten
     */
    public long migrateApplications() {
        return list().filter(token -> InternalChange.run(session, token::migrateApplications))
                .count();
    }

    /** Background jobs (grace end, inactivity) push revocations with no request to learn the issuer from. */
    private void rememberIssuer(ServiceToken token) {
        String issuer = pushes.requestIssuer();
        if (issuer != null) {
            token.client().setAttribute(TokenPushes.ISSUER_ATTRIBUTE, issuer);
        }
    }

    private String uniqueClientId(String name) {
        String slug =
                name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.length() > 40) {
            slug = slug.substring(0, 40).replaceAll("-+$", "");
        }
        if (slug.isEmpty()) {
            slug = "token";
        }
        for (int attempt = 0; attempt < 10; attempt++) {
            String candidate = slug + "-" + randomSuffix();
            if (session.clients().getClientByClientId(realm, candidate) == null) {
                return candidate;
            }
        }
        throw new IllegalStateException("could not find a free client ID");
    }

    private static String randomSuffix() {
        StringBuilder suffix = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            suffix.append(SUFFIX_ALPHABET.charAt(RANDOM.nextInt(SUFFIX_ALPHABET.length())));
        }
        return suffix.toString();
    }
}

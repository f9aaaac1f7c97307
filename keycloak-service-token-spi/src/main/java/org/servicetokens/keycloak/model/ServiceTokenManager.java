package org.servicetokens.keycloak.model;

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
import org.servicetokens.keycloak.authenticator.ServiceTokenClientAuthenticatorFactory;
import org.servicetokens.keycloak.mapper.ServiceTokenClaimsMapper;
import org.servicetokens.keycloak.revocation.RevocationPush;

/**
 * The lifecycle of service tokens in one realm: create, rotate, extend, update, revoke. Input is assumed
 * validated by the caller (the REST layer); this class enforces the invariants: a secret exists only in the
 * return value of {@link #create} and {@link #rotate}, and every change that must stop a credential working
 * pushes a revocation to the token's applications.
 */
public final class ServiceTokenManager {

    public record IssuedSecret(ServiceToken token, String secret) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private final KeycloakSession session;
    private final RealmModel realm;

    public ServiceTokenManager(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
    }

    /**
     * Every token of the realm. Keycloak's attribute search only allows attributes an operator whitelisted
     * (spi-client-jpa-searchable-attributes), so tokens are found by their authenticator type, an indexed-size
     * column of the client table, and then loaded through the client cache.
     */
    public Stream<ServiceToken> list() {
        List<String> ids = session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createQuery("select c.id from ClientEntity c where c.realmId = :realm and c.clientAuthenticatorType = :type",
                        String.class)
                .setParameter("realm", realm.getId())
                .setParameter("type", ServiceTokenClientAuthenticatorFactory.PROVIDER_ID)
                .getResultList();
        return ids.stream()
                .map(id -> session.clients().getClientById(realm, id))
                .map(ServiceToken::of)
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing((ServiceToken t) -> t.name() == null ? "" : t.name().toLowerCase(Locale.ROOT))
                        .thenComparing(ServiceToken::clientId));
    }

    public Optional<ServiceToken> find(String id) {
        if (id == null || id.length() > 64) {
            return Optional.empty();
        }
        return ServiceToken.of(session.clients().getClientById(realm, id));
    }

    public IssuedSecret create(String name, String description, TokenDuration duration, List<String> applications,
                               UserModel creator, Instant now) {
        ClientRepresentation rep = new ClientRepresentation();
        rep.setClientId(uniqueClientId(name));
        rep.setName(name);
        rep.setDescription(description);
        rep.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        rep.setEnabled(true);
        rep.setPublicClient(false);
        rep.setBearerOnly(false);
        rep.setClientAuthenticatorType(ServiceTokenClientAuthenticatorFactory.PROVIDER_ID);
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

        ClientModel client = ClientManager.createClient(session, realm, rep);
        // The stock code path generates an ordinary plain-text secret for every confidential client. A service
        // token must never have one: GET /clients/{id}/client-secret would reveal it and the stock
        // client-secret authenticator would accept it.
        client.setSecret(null);
        client.setAttribute(MARKER, "true");
        new ClientManager(new RealmManager(session)).enableServiceAccount(client);
        client.addProtocolMapper(ServiceTokenClaimsMapper.create());

        ServiceToken token = ServiceToken.of(client).orElseThrow();
        String secret = TokenSecrets.generate();
        token.setSecretHash(TokenSecrets.hash(secret));
        token.setExpiresAt(duration.from(now).orElse(null));
        token.setApplications(applications);
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
     * JWT minted with it stop at once.
     */
    public IssuedSecret rotate(ServiceToken token, java.time.Duration grace, Instant now) {
        String secret = TokenSecrets.generate();
        if (grace.isZero()) {
            token.setPreviousSecret(null, null);
            token.setSecretHash(TokenSecrets.hash(secret));
            RevocationPush.schedule(session, realm, token, now, "rotated");
        } else {
            token.setPreviousSecret(token.secretHash(), now.plus(grace));
            token.setSecretHash(TokenSecrets.hash(secret));
            rememberIssuer(token);
        }
        return new IssuedSecret(token, secret);
    }

    /** Moves the grace end of the previous secret; a time not in the future ends it now. */
    public void setPreviousSecretExpiry(ServiceToken token, Instant expiresAt, Instant now) {
        if (!expiresAt.isAfter(now)) {
            endGrace(token, now);
        } else {
            token.setPreviousSecret(token.previousSecretHash(), expiresAt);
        }
    }

    /** Drops the previous secret and tells the applications that JWTs minted before now are void. */
    public void endGrace(ServiceToken token, Instant now) {
        token.setPreviousSecret(null, null);
        RevocationPush.schedule(session, realm, token, now, "grace-period-ended");
    }

    public void extend(ServiceToken token, TokenDuration duration, Instant now) {
        token.setExpiresAt(duration.from(now).orElse(null));
    }

    public void update(ServiceToken token, String name, String description, Boolean enabled, List<String> applications,
                       Instant now) {
        ClientModel client = token.client();
        if (name != null) {
            client.setName(name);
        }
        if (description != null) {
            client.setDescription(description);
        }
        if (applications != null) {
            List<String> removed = token.applications().stream().filter(a -> !applications.contains(a)).toList();
            if (!removed.isEmpty()) {
                // The removed applications must forget the JWTs they accepted; the others keep theirs.
                RevocationPush.schedule(session, realm, token, removed, now, "application-removed");
            }
            token.setApplications(applications);
        }
        if (enabled != null && enabled != client.isEnabled()) {
            client.setEnabled(enabled);
            if (!enabled) {
                RevocationPush.schedule(session, realm, token, now, "disabled");
            }
        }
    }

    public void delete(ServiceToken token, Instant now) {
        // Build the logout tokens while the service-account user still exists: its id is their subject.
        RevocationPush.schedule(session, realm, token, now, "deleted");
        new ClientManager(new RealmManager(session)).removeClient(realm, token.client());
    }

    /** Background jobs (grace end, inactivity) push revocations with no request to learn the issuer from. */
    private void rememberIssuer(ServiceToken token) {
        String issuer = RevocationPush.issuer(session, realm, token);
        if (issuer != null) {
            token.client().setAttribute(RevocationPush.ISSUER_ATTRIBUTE, issuer);
        }
    }

    private String uniqueClientId(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
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

package org.servicetokens.keycloak.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserModel;

/**
 * Everything that makes a token unable to work, as the authenticator checks it on every token request: the
 * lifecycle attributes ({@link ServiceToken#attributeProblems()}) and the client's shape, which Keycloak's own
 * APIs, a partial import or a hand edit can change behind the service-token API: its authenticator type,
 * confidential client with a service account, the service-account user present and enabled, no browser/password
 * flows, no full scope, and exactly our claims mapper (plus Keycloak's session-note mappers). Each problem that
 * {@link #repair} can fix says {@link Problem#REPAIR}.
 */
public final class TokenHealth {

    // Keycloak's own service-account mappers (older versions added them per client): harmless, kept.
    private static final Set<String> TOLERATED_MAPPER_TYPES =
            Set.of(ServiceTokenProtocol.CLAIMS_MAPPER_ID, "oidc-usersessionmodel-note-mapper");
    static final List<String> FLOW_ATTRIBUTES = List.of(
            "oauth2.device.authorization.grant.enabled", "oidc.ciba.grant.enabled", "standard.token.exchange.enabled");

    private TokenHealth() {}

    /** What would make the authenticator refuse this token now, disabled and expired aside; empty when healthy. */
    public static List<Problem> problems(KeycloakSession session, ServiceToken token) {
        List<Problem> problems = new ArrayList<>();
        ClientModel client = token.client();
        if (!ServiceTokenProtocol.AUTHENTICATOR_ID.equals(client.getClientAuthenticatorType())) {
            problems.add(new Problem(
                    "authenticator_changed",
                    "The client authenticator was changed to '" + client.getClientAuthenticatorType()
                            + "' outside the service-token API; repair sets it back.",
                    Problem.REPAIR));
        }
        if (client.isPublicClient() || client.isBearerOnly()) {
            problems.add(new Problem(
                    "not_confidential",
                    "The client was made public or bearer-only; repair makes it confidential again.",
                    Problem.REPAIR));
        }
        UserModel serviceAccount =
                client.isServiceAccountsEnabled() ? session.users().getServiceAccount(client) : null;
        if (!client.isServiceAccountsEnabled()) {
            problems.add(new Problem(
                    "service_account_off",
                    "The client's service account was turned off (or dropped by a partial import); "
                            + "repair turns it on and recreates its user.",
                    Problem.REPAIR));
        } else if (serviceAccount == null) {
            problems.add(new Problem(
                    "service_account_missing",
                    "The service-account user was deleted; repair recreates it "
                            + "(role mappings of the old user are not restored).",
                    Problem.REPAIR));
        } else if (!serviceAccount.isEnabled()) {
            problems.add(new Problem(
                    "service_account_disabled",
                    "The service-account user was disabled; repair enables it.",
                    Problem.REPAIR));
        }
        if (client.isStandardFlowEnabled()
                || client.isImplicitFlowEnabled()
                || client.isDirectAccessGrantsEnabled()
                || client.isFullScopeAllowed()
                || FLOW_ATTRIBUTES.stream().anyMatch(a -> "true".equals(client.getAttribute(a)))) {
            problems.add(new Problem(
                    "flows_enabled",
                    "Login flows or full scope were turned on outside the service-token API; "
                            + "repair turns them off.",
                    Problem.REPAIR));
        }
        List<ProtocolMapperModel> mappers = client.getProtocolMappersStream().toList();
        if (mappers.stream().noneMatch(m -> ServiceTokenProtocol.CLAIMS_MAPPER_ID.equals(m.getProtocolMapper()))) {
            problems.add(new Problem(
                    "claims_mapper_missing",
                    "The service-token claims mapper (aud, service_token) was removed; " + "repair adds it back.",
                    Problem.REPAIR));
        }
        mappers.stream()
                .filter(m -> !TOLERATED_MAPPER_TYPES.contains(m.getProtocolMapper()))
                .findFirst()
                .ifPresent(m -> problems.add(new Problem(
                        "unexpected_protocol_mapper",
                        "Protocol mapper '" + m.getName() + "' (" + m.getProtocolMapper()
                                + ") was added outside the service-token API and could change what the token's JWT says; repair removes it.",
                        Problem.REPAIR)));
        problems.addAll(token.attributeProblems());
        return problems;
    }

    /** disabled, then broken (any problem), then expired, then active: the order in which the authenticator refuses. */
    public static ServiceToken.Status status(KeycloakSession session, ServiceToken token, Instant now) {
        if (!token.enabled()) {
            return ServiceToken.Status.disabled;
        }
        if (!problems(session, token).isEmpty()) {
            return ServiceToken.Status.broken;
        }
        return token.isExpired(now) ? ServiceToken.Status.expired : ServiceToken.Status.active;
    }

    /**
     * Fixes every problem marked {@link Problem#REPAIR}: authenticator type, confidential client, service account
     * (turned on, user recreated or enabled), flows and full scope off, our claims mapper present and no other,
     * an unreadable previous secret or creation time dropped, an unreadable application list emptied. Problems
     * that need the admin's choice (expiry, secret) are left for extend and rotate.
     *
     * @return the reasons that were repaired
     */
    public static List<String> repair(KeycloakSession session, ServiceToken token) {
        List<String> before = problems(session, token).stream()
                .filter(p -> Problem.REPAIR.equals(p.fix()) || "applications_unreadable".equals(p.reason()))
                .map(Problem::reason)
                .toList();
        ClientModel client = token.client();
        client.setClientAuthenticatorType(ServiceTokenProtocol.AUTHENTICATOR_ID);
        client.setPublicClient(false);
        client.setBearerOnly(false);
        client.setSecret(null);
        client.setStandardFlowEnabled(false);
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setFullScopeAllowed(false);
        FLOW_ATTRIBUTES.forEach(attribute -> client.setAttribute(attribute, "false"));
        new org.keycloak.services.managers.ClientManager(new org.keycloak.services.managers.RealmManager(session))
                .enableServiceAccount(client);
        UserModel serviceAccount = session.users().getServiceAccount(client);
        if (serviceAccount != null && !serviceAccount.isEnabled()) {
            serviceAccount.setEnabled(true);
        }
        client.getProtocolMappersStream()
                .filter(m -> !TOLERATED_MAPPER_TYPES.contains(m.getProtocolMapper()))
                .toList()
                .forEach(client::removeProtocolMapper);
        if (client.getProtocolMappersStream()
                .noneMatch(m -> ServiceTokenProtocol.CLAIMS_MAPPER_ID.equals(m.getProtocolMapper()))) {
            client.addProtocolMapper(ServiceTokenProtocol.claimsMapper());
        }
        List<String> attributeReasons =
                token.attributeProblems().stream().map(Problem::reason).toList();
        if (attributeReasons.contains("previous_secret_unreadable")) {
            token.setPreviousSecret(null, null);
        }
        if (attributeReasons.contains("created_at_unreadable")) {
            client.removeAttribute(ServiceTokenAttributes.CREATED_AT);
        }
        if (attributeReasons.contains("applications_unreadable")) {
            token.setApplicationIds(List.of());
        }
        return before;
    }
}

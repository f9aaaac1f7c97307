package org.servicetokens.keycloak.authenticator;

import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticationFlowModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Adds the service-token authenticator to a realm's bound client-authentication flow. A client authenticator
 * runs only as an execution of that flow, and the built-in flow cannot be edited over REST, so the provider does
 * it through the model API: at start-up for every realm, and for each realm as it is created (both called from
 * {@code ProviderStartup}). Idempotent.
 */
public final class FlowInstaller {

    private static final Logger LOG = Logger.getLogger(FlowInstaller.class);

    private FlowInstaller() {}

    /** Installs (or moves to the front) the authenticator in every realm, in one transaction. */
    public static void installInAllRealms(KeycloakSessionFactory factory) {
        KeycloakModelUtils.runJobInTransaction(
                factory, session -> session.realms().getRealmsStream().forEach(FlowInstaller::install));
    }

    /**
     * Ours must run first: Keycloak's own client-secret authenticator, if it ran before, would parse a service
     * token's credentials itself and answer a Basic header it cannot decode (a {@code %zz}) with a 400 and a stack
     * trace. Running first is harmless for other clients: ours only reads the credentials and steps aside.
     */
    public static void install(RealmModel realm) {
        AuthenticationFlowModel flow = realm.getClientAuthenticationFlow();
        if (flow == null) {
            LOG.warnf(
                    "Realm %s has no client authentication flow; service tokens cannot authenticate there",
                    realm.getName());
            return;
        }
        List<AuthenticationExecutionModel> executions =
                realm.getAuthenticationExecutionsStream(flow.getId()).toList();
        AuthenticationExecutionModel ours = executions.stream()
                .filter(execution ->
                        ServiceTokenClientAuthenticatorFactory.PROVIDER_ID.equals(execution.getAuthenticator()))
                .findFirst()
                .orElse(null);
        int firstOther = executions.stream()
                .filter(execution -> execution != ours)
                .mapToInt(AuthenticationExecutionModel::getPriority)
                .min()
                .orElse(10);
        if (ours != null) {
            if (ours.getPriority() < firstOther) {
                return;
            }
            ours.setPriority(firstOther - 10);
            realm.updateAuthenticatorExecution(ours);
            LOG.infof(
                    "Moved the service-token authenticator to the front of flow '%s' of realm %s",
                    flow.getAlias(), realm.getName());
            return;
        }
        AuthenticationExecutionModel execution = new AuthenticationExecutionModel();
        execution.setParentFlow(flow.getId());
        execution.setAuthenticator(ServiceTokenClientAuthenticatorFactory.PROVIDER_ID);
        execution.setRequirement(AuthenticationExecutionModel.Requirement.ALTERNATIVE);
        execution.setAuthenticatorFlow(false);
        execution.setPriority(firstOther - 10);
        realm.addAuthenticatorExecution(execution);
        LOG.infof("Added the service-token authenticator to flow '%s' of realm %s", flow.getAlias(), realm.getName());
    }
}

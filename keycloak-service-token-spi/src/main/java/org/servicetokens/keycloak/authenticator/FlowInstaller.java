package org.servicetokens.keycloak.authenticator;

import org.jboss.logging.Logger;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticationFlowModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Adds the service-token authenticator to a realm's bound client-authentication flow. A client authenticator
 * runs only as an execution of that flow, and the built-in flow cannot be edited over REST, so the provider does
 * it through the model API: at startup for every realm, and for each realm as it is created. Idempotent.
 */
final class FlowInstaller {

    private static final Logger LOG = Logger.getLogger(FlowInstaller.class);

    private FlowInstaller() {
    }

    static void installInAllRealms(KeycloakSessionFactory factory) {
        KeycloakModelUtils.runJobInTransaction(factory, session ->
                session.realms().getRealmsStream().forEach(FlowInstaller::install));
    }

    static void install(RealmModel realm) {
        AuthenticationFlowModel flow = realm.getClientAuthenticationFlow();
        if (flow == null) {
            LOG.warnf("Realm %s has no client authentication flow; service tokens cannot authenticate there", realm.getName());
            return;
        }
        boolean present = realm.getAuthenticationExecutionsStream(flow.getId())
                .anyMatch(execution -> ServiceTokenClientAuthenticatorFactory.PROVIDER_ID.equals(execution.getAuthenticator()));
        if (present) {
            return;
        }
        int lastPriority = realm.getAuthenticationExecutionsStream(flow.getId())
                .mapToInt(AuthenticationExecutionModel::getPriority).max().orElse(0);
        AuthenticationExecutionModel execution = new AuthenticationExecutionModel();
        execution.setParentFlow(flow.getId());
        execution.setAuthenticator(ServiceTokenClientAuthenticatorFactory.PROVIDER_ID);
        execution.setRequirement(AuthenticationExecutionModel.Requirement.ALTERNATIVE);
        execution.setAuthenticatorFlow(false);
        execution.setPriority(lastPriority + 10);
        realm.addAuthenticatorExecution(execution);
        LOG.infof("Added the service-token authenticator to flow '%s' of realm %s", flow.getAlias(), realm.getName());
    }
}

package org.servicetokens.sidecar.it;

import java.io.IOException;
import java.util.Map;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;
import org.servicetokens.keycloak.it.TokenApi;

/**
 * What every sidecar integration test is given: the framework's admin client, its URLs and the demo realm
 * (imported from demo-realm.json once per test class), injected by Keycloak's test framework (it injects fields
 * of superclasses too), plus the steps most of them take to put a sidecar in front of an app. A test class still
 * names the server config itself, {@code @KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)} (the
 * annotation is not inherited); the same config everywhere keeps one server for the whole run.
 */
abstract class SidecarITBase {

    @InjectAdminClient
    protected Keycloak admin;

    @InjectKeycloakUrls
    protected KeycloakUrls urls;

    @InjectRealm(fromJson = "/demo-realm.json")
    protected ManagedRealm realm;

    /** The demo realm's service-token API, called as the framework's admin (its token refreshed as needed). */
    protected TokenApi tokenApi() {
        return new TokenApi(
                urls.getBase(), realm.getName(), () -> admin.tokenManager().getAccessTokenString());
    }

    /**
     * Starts the sidecar jar as its own process, trusting the demo realm as issuer, in front of {@code upstreamUrl};
     * {@code env} holds the extra {@code SIDECAR_*} settings of this test (empty for the defaults).
     */
    protected SidecarProcess startSidecar(String upstreamUrl, Map<String, String> env) throws IOException {
        return SidecarProcess.start(realm.getBaseUrl(), upstreamUrl, env);
    }

    /** Keycloak pushes revocations to the app's back-channel logout URL: makes demo-app's that of {@code sidecar}. */
    protected void pointBackchannelLogoutAt(SidecarProcess sidecar) {
        ClientRepresentation app =
                realm.admin().clients().findByClientId("demo-app").get(0);
        app.getAttributes().put("backchannel.logout.url", sidecar.url() + "/.sidecar/backchannel-logout");
        realm.admin().clients().get(app.getId()).update(app);
    }

    /** Closes each non-null resource, in order, going on past failures: clean-up after a class, best effort. */
    protected static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception ignored) {
                // best effort: the next resource still gets closed
            }
        }
    }
}

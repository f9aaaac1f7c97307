package org.servicetokens.sidecar.it;

import java.util.ArrayList;
import java.util.List;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.testframework.realm.ManagedRealm;

/** Points the realm's demo-app client at a sidecar on a random port: callback, post-logout page, back-channel logout. */
final class DemoAppClient {

    private DemoAppClient() {}

    static void pointAt(ManagedRealm realm, SidecarProcess sidecar) {
        update(realm, sidecar, true);
    }

    /** Lets a further sidecar log people in and out too, leaving Keycloak's back-channel logout where it was. */
    static void allowLoginAt(ManagedRealm realm, SidecarProcess sidecar) {
        update(realm, sidecar, false);
    }

    private static void update(ManagedRealm realm, SidecarProcess sidecar, boolean backchannel) {
        ClientRepresentation app =
                realm.admin().clients().findByClientId("demo-app").get(0);
        List<String> redirects = new ArrayList<>(app.getRedirectUris());
        redirects.add(sidecar.browserUrl() + "/.sidecar/callback");
        app.setRedirectUris(redirects);
        String postLogout = app.getAttributes().getOrDefault("post.logout.redirect.uris", "");
        app.getAttributes()
                .put(
                        "post.logout.redirect.uris",
                        (postLogout.isEmpty() ? "" : postLogout + "##") + sidecar.browserUrl() + "/*");
        // Keycloak itself calls this one, server to server.
        if (backchannel) {
            app.getAttributes().put("backchannel.logout.url", sidecar.url() + "/.sidecar/backchannel-logout");
        }
        realm.admin().clients().get(app.getId()).update(app);
    }
}

package org.servicetokens.sidecar;

import java.util.concurrent.atomic.AtomicInteger;
import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.grant.ClientCredentialsGrants;
import org.servicetokens.sidecar.http.ClientConnections;
import org.servicetokens.sidecar.jwt.VerifiedTokens;
import org.servicetokens.sidecar.keycloak.OidcProvider;
import org.servicetokens.sidecar.keycloak.TokenEndpoint;
import org.servicetokens.sidecar.login.PendingLogins;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.policy.Policy;
import org.servicetokens.sidecar.revocation.RevocationStore;
import org.servicetokens.sidecar.session.SessionServices;

/** Process-wide parts every verticle uses: thread-safe by construction (caches, atomics, immutable policy). */
record Shared(
        SidecarConfig config,
        Policy policy,
        SidecarMetrics metrics,
        SidecarCaches caches,
        OidcProvider provider,
        TokenEndpoint tokenEndpoint,
        ClientCredentialsGrants grants,
        RevocationStore revocations,
        VerifiedTokens verifiedTokens,
        AtomicInteger port,
        SessionServices sessions,
        PendingLogins logins,
        ClientConnections connections) {

    void boundPort(int actual) {
        port.compareAndSet(0, actual);
    }
}

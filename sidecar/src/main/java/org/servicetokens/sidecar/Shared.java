package org.servicetokens.sidecar;

import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.exchange.TokenExchanger;
import org.servicetokens.sidecar.jwt.OidcProvider;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.policy.Policy;
import org.servicetokens.sidecar.revocation.RevocationStore;
import org.servicetokens.sidecar.session.SessionServices;
import org.servicetokens.sidecar.web.ClientConnections;

import java.util.concurrent.atomic.AtomicInteger;

/** Process-wide parts every verticle uses: thread-safe by construction (caches, atomics, immutable policy). */
record Shared(SidecarConfig config, Policy policy, SidecarMetrics metrics, SidecarCaches caches,
              OidcProvider provider, TokenExchanger exchanger, RevocationStore revocations, AtomicInteger port,
              SessionServices sessions, ClientConnections connections) {

  void boundPort(int actual) {
    port.compareAndSet(0, actual);
  }
}

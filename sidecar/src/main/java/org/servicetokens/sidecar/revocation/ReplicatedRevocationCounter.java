package org.servicetokens.sidecar.revocation;

import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.servicetokens.sidecar.metrics.SidecarMetrics;

/**
 * Counts revocation records that reached this replica from another one (a back-channel logout Keycloak sent to
 * a different replica): {@code sidecar_cluster_revocations_received_total}. A local listener on the replicated
 * revocations cache sees every write applied here; the ones not originating here came through the cluster.
 * Asynchronous, so counting never delays the replication itself.
 */
@Listener(sync = false)
public final class ReplicatedRevocationCounter {

    private final SidecarMetrics metrics;

    public ReplicatedRevocationCounter(SidecarMetrics metrics) {
        this.metrics = metrics;
    }

    @CacheEntryCreated
    @CacheEntryModified
    public void written(CacheEntryEvent<String, String> event) {
        if (!event.isPre() && !event.isOriginLocal()) {
            metrics.clusterRevocationReceived();
        }
    }
}

package org.servicetokens.sidecar.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sidecar replicas started as processes ({@link SidecarProcess}) that form one Infinispan cluster over JGroups TCP
 * on 127.0.0.1: static members, one cluster name, one random secret. Closing it stops every replica it started.
 */
final class SidecarCluster implements AutoCloseable {

    /** The cluster secret every member shares (a replica started with another one stays alone). */
    final String secret = "it-" + UUID.randomUUID();

    private final String name;
    private final String keycloakUrl;
    private final String upstreamUrl;
    private final List<String> members = new ArrayList<>();
    private final List<SidecarProcess> started = new ArrayList<>();

    /**
     * @param name        {@code cluster.name}, one per test class
     * @param keycloakUrl the realm's base URL (its issuer)
     * @param upstreamUrl the app every replica forwards to
     */
    SidecarCluster(String name, String keycloakUrl, String upstreamUrl) {
        this.name = name;
        this.keycloakUrl = keycloakUrl;
        this.upstreamUrl = upstreamUrl;
    }

    /** Starts {@code count} replicas that list each other as members (not waiting for them to find each other). */
    List<SidecarProcess> start(int count) throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = SidecarProcess.freeClusterPort();
            ports.add(port);
            members.add("127.0.0.1:" + port);
        }
        List<SidecarProcess> replicas = new ArrayList<>();
        for (int port : ports) {
            replicas.add(replica(port, secret));
        }
        return replicas;
    }

    /**
     * One more replica on {@code clusterPort}, listing every member started by {@link #start} and itself (a late
     * joiner names the existing ones: TCPPING needs one to answer); with {@code clusterSecret} other than
     * {@link #secret} it cannot join.
     */
    SidecarProcess replica(int clusterPort, String clusterSecret) throws IOException {
        List<String> all = new ArrayList<>(members);
        if (!all.contains("127.0.0.1:" + clusterPort)) {
            all.add("127.0.0.1:" + clusterPort);
        }
        Map<String, String> env = new HashMap<>();
        env.put("SIDECAR_CLUSTER_NAME", name);
        env.put("SIDECAR_CLUSTER_MEMBERS", String.join(",", all));
        env.put("SIDECAR_CLUSTER_BIND_ADDRESS", "127.0.0.1");
        env.put("SIDECAR_CLUSTER_PORT", Integer.toString(clusterPort));
        env.put("SIDECAR_CLUSTER_SECRET", clusterSecret);
        SidecarProcess replica = SidecarProcess.start(keycloakUrl, upstreamUrl, env);
        started.add(replica);
        return replica;
    }

    @Override
    public void close() {
        for (SidecarProcess p : started) {
            p.close();
        }
    }
}

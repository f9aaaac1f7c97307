package org.servicetokens.sidecar.cache;

import java.util.List;
import org.jgroups.stack.Protocol;
import org.servicetokens.sidecar.config.SidecarConfig;

/** Test access to {@link ClusterChannel}'s package-private parts. */
public final class ClusterChannelAccess {

    private ClusterChannelAccess() {}

    public static List<Protocol> protocols(SidecarConfig.Cluster cluster) throws Exception {
        return new ClusterChannel(cluster).protocols();
    }

    public static byte[] key(String secret, String clusterName) {
        return ClusterChannel.deriveKey(secret, clusterName).getEncoded();
    }
}

package org.servicetokens.sidecar.cache;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.remoting.transport.jgroups.AbstractJGroupsChannelConfigurator;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Util;
import org.servicetokens.sidecar.config.ClusterAddresses;
import org.servicetokens.sidecar.config.SidecarConfig;

/**
 * The JGroups stack of a clustered sidecar, built in code rather than from XML so the encryption key never
 * touches a file or a system property: TCP on {@code cluster.bind-address:cluster.port}, discovery by static
 * members (TCPPING) or DNS (DNS_PING, e.g. a Kubernetes headless service), failure detection, and, when
 * {@code cluster.secret} is set, SERIALIZE + SYM_ENCRYPT directly under NAKACK2: every message above the
 * failure detectors, headers and membership requests (GMS JOIN) included, is sealed with a key derived from the
 * secret.
 *
 * <p>The cipher is ChaCha20-Poly1305 (RFC 8439), an AEAD, with a fresh random 96-bit nonce per message: JGroups'
 * default for SYM_ENCRYPT is {@code AES}, i.e. AES/ECB without an IV and without integrity, and its {@code init}
 * passes the IV as an {@code IvParameterSpec}, which the JDK's AES/GCM refuses but its ChaCha20-Poly1305 takes.
 * A message that was altered, cut, or sealed with another key fails its tag and is dropped before any protocol
 * above reads it; so a node with another secret (or none) cannot produce a JOIN the coordinator accepts, never
 * becomes a member, and receives no cache data. Without a secret the stack is plain, which
 * {@code ClusterValidation} allows only when the transport and every member are on loopback; {@link #protocols}
 * refuses a plain stack bound elsewhere as well.
 *
 * <p>Infinispan asks this configurator for a channel when the cache manager starts and owns it afterwards.
 */
public final class ClusterChannel extends AbstractJGroupsChannelConfigurator {

    private static final Logger LOG = Logger.getLogger(ClusterChannel.class.getName());
    /** v2: the ChaCha20-Poly1305 key; v1 keys (AES/ECB) are deliberately not derivable any more. */
    private static final String KEY_SALT = "servicetokens-sidecar-cluster/v2/";
    /** The JCA transformation (and key algorithm) of the AEAD; its nonce is 12 bytes (RFC 8439 §2.8). */
    static final String CIPHER = "ChaCha20-Poly1305";

    private static final int NONCE_BYTES = 12;
    private static final int KEY_ITERATIONS = 200_000;

    private final SidecarConfig.Cluster config;
    private final SecretKey key;

    public ClusterChannel(SidecarConfig.Cluster config) {
        this.config = config;
        this.key = config.secret.isEmpty() ? null : deriveKey(config.secret, config.name);
    }

    /** A clustered cache container on this stack, named {@code cluster.name} (members must agree on it). */
    public static GlobalConfigurationBuilder clusteredGlobal(SidecarConfig.Cluster cluster) {
        ClusterChannel channel = new ClusterChannel(cluster);
        if (!channel.encrypted()) {
            LOG.info("cluster.secret is empty: cluster traffic on loopback is neither encrypted nor authenticated;"
                    + " any process on this host can join");
        }
        GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
        global.transport()
                .clusterName(cluster.name)
                .addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR, channel)
                .distributedSyncTimeout(60, TimeUnit.SECONDS);
        return global;
    }

    /** True when the channel encrypts (a secret is configured). */
    public boolean encrypted() {
        return key != null;
    }

    @Override
    public String getName() {
        return "sidecar-" + (config.dnsQuery.isEmpty() ? "tcpping" : "dns");
    }

    @Override
    public JChannel createChannel(String name) throws Exception {
        return amendChannel(new JChannel(protocols()));
    }

    /** Bottom (transport) to top, as {@link JChannel#JChannel(List)} expects. */
    List<Protocol> protocols() throws Exception {
        List<Protocol> stack = new ArrayList<>();
        InetAddress bind = bindAddress(config.bindAddress);
        if (key == null
                && (!bind.isLoopbackAddress()
                        || !config.dnsQuery.isEmpty()
                        || !config.members.stream()
                                .allMatch(m -> ClusterAddresses.isLoopbackHost(
                                        ClusterAddresses.parseMember(m).getHostString())))) {
            // Validation already refuses this; fail closed should anything bypass it.
            throw new IllegalStateException("cluster.secret is required for a cluster beyond loopback");
        }
        TCP tcp = new TCP();
        tcp.setBindAddress(bind);
        tcp.setBindPort(config.port);
        // Exactly the configured port: members address each other by it, a silent shift would split the cluster.
        tcp.setPortRange(0);
        tcp.setValue("sock_conn_timeout", 300);
        tcp.setValue("thread_naming_pattern", "pl");
        tcp.disableDiagnostics();
        stack.add(tcp);
        if (config.dnsQuery.isEmpty()) {
            List<InetSocketAddress> hosts = new ArrayList<>();
            for (String member : config.members) {
                InetSocketAddress m = ClusterAddresses.parseMember(member);
                hosts.add(new InetSocketAddress(m.getHostString(), m.getPort()));
            }
            stack.add(new TCPPING().initialHosts(hosts).portRange(0));
        } else {
            stack.add(new DNS_PING().dnsQuery(config.dnsQuery).dnsRecordType(config.dnsRecordType));
        }
        stack.add(new MERGE3().setValue("min_interval", 5_000L).setValue("max_interval", 15_000L));
        // A killed replica's sockets close at once: FD_SOCK2 notices in milliseconds, FD_ALL3 catches hangs.
        stack.add(new FD_SOCK2().setOffset(ClusterAddresses.FD_OFFSET).setPortRange(0));
        stack.add(new FD_ALL3().setValue("timeout", 10_000L).setValue("interval", 2_000L));
        stack.add(new VERIFY_SUSPECT2().setValue("timeout", 1_000L));
        if (key != null) {
            SYM_ENCRYPT encrypt = new SYM_ENCRYPT();
            // Algorithm first: setSecretKey replaces a transformation whose name differs from the key's algorithm.
            encrypt.symAlgorithm(CIPHER);
            encrypt.symIvLength(NONCE_BYTES);
            encrypt.setSecretKey(key);
            stack.add(encrypt);
            // Above the encryption: the whole message (headers, flags, addresses) becomes the encrypted payload.
            stack.add(new SERIALIZE());
        }
        stack.add(new NAKACK2().setValue("use_mcast_xmit", false).setValue("xmit_interval", 200L));
        stack.add(new UNICAST3().setValue("xmit_interval", 200L));
        stack.add(new STABLE().setValue("desired_avg_gossip", 5_000L).setValue("max_bytes", 1_000_000L));
        GMS gms = new GMS().setJoinTimeout(2_000);
        gms.setValue("print_local_addr", false);
        // A node that cannot join (wrong secret, so nobody reads its JOIN) gives up after a few tries.
        gms.setValue("max_join_attempts", 3);
        stack.add(gms);
        stack.add(new UFC().setValue("max_credits", 4_000_000L));
        stack.add(new MFC().setValue("max_credits", 4_000_000L));
        stack.add(new FRAG4().setValue("frag_size", 60_000));
        return stack;
    }

    /** Empty = SITE_LOCAL (a pod's or host's private address); a JGroups keyword, an IP literal or a host name. */
    static InetAddress bindAddress(String configured) throws Exception {
        String value = configured.isEmpty() ? "SITE_LOCAL" : configured;
        if (ClusterAddresses.BIND_KEYWORDS.contains(value)) {
            return Util.getAddress(value, Util.getIpStackType());
        }
        return InetAddress.getByName(value);
    }

    /**
     * PBKDF2 over the secret, salted with the cluster name: the same secret yields the same 256-bit key on every
     * replica, nothing secret is stored, and a guessable cluster name does not turn into a precomputed table. The
     * iterations slow down offline guessing from captured traffic (each sealed message lets a guess be checked).
     */
    static SecretKey deriveKey(String secret, String clusterName) {
        try {
            PBEKeySpec spec = new PBEKeySpec(
                    secret.toCharArray(),
                    (KEY_SALT + clusterName).getBytes(StandardCharsets.UTF_8),
                    KEY_ITERATIONS,
                    256);
            byte[] raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
            spec.clearPassword();
            return new SecretKeySpec(raw, CIPHER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the cluster key", e);
        }
    }

    // Infinispan only creates channels through createChannel; the XML views of the stack are not used.
    @Override
    public String getProtocolStackString() {
        return getName();
    }

    @Override
    public List<ProtocolConfiguration> getProtocolStack() {
        return List.of();
    }
}

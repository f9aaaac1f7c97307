package org.servicetokens.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.cache.ClusterChannelAccess;

/** The cluster.* keys: loading from env, validation (never echoing the secret), and the JGroups stack built from them. */
class ClusterConfigTest {

    private static final String SECRET = "s3cr3t-value-for-the-cluster-42";

    @Test
    void localByDefaultClusteredWithMembersFromEnv() {
        assertFalse(ConfigLoader.load(null, Map.of()).cluster.enabled(), "local mode is the default");
        SidecarConfig c = ConfigLoader.load(
                null,
                Map.of(
                        "SIDECAR_CLUSTER_MEMBERS", "10.0.0.1:7800, sidecar-1.example:7800,[::1]:7801",
                        "SIDECAR_CLUSTER_NAME", "orders-app",
                        "SIDECAR_CLUSTER_BIND_ADDRESS", "SITE_LOCAL",
                        "SIDECAR_CLUSTER_PORT", "7900",
                        "SIDECAR_CLUSTER_SECRET", SECRET));
        assertTrue(c.cluster.enabled());
        assertEquals(List.of("10.0.0.1:7800", "sidecar-1.example:7800", "[::1]:7801"), c.cluster.members);
        assertEquals(7900, c.cluster.port);
        SidecarConfig dns = ConfigLoader.load(
                null,
                Map.of(
                        "SIDECAR_CLUSTER_DNS_QUERY",
                        "sidecar-headless.shop.svc.cluster.local",
                        "SIDECAR_CLUSTER_SECRET",
                        SECRET));
        assertTrue(dns.cluster.enabled());
    }

    @Test
    void badClusterKeysAreEachNamedAndTheSecretIsNeverEchoed() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(
                        null,
                        Map.of(
                                "SIDECAR_CLUSTER_MEMBERS", "no-port,host:99999,:7800",
                                "SIDECAR_CLUSTER_DNS_QUERY", "also set",
                                "SIDECAR_CLUSTER_DNS_RECORD_TYPE", "TXT",
                                "SIDECAR_CLUSTER_NAME", "bad name!",
                                "SIDECAR_CLUSTER_BIND_ADDRESS", "not an address",
                                "SIDECAR_CLUSTER_PORT", "65500",
                                "SIDECAR_CLUSTER_SECRET", "short-secret")));
        String all = String.join("\n", e.problems());
        for (String expected : List.of(
                "cluster.members: set either",
                "'no-port' is not host:port",
                "'host:99999' is not",
                "':7800' is not",
                "cluster.dns-query",
                "cluster.dns-record-type",
                "cluster.name",
                "cluster.bind-address",
                "cluster.port",
                "cluster.secret: must be at least 16 characters")) {
            assertTrue(all.contains(expected), "no message '" + expected + "' in:\n" + all);
        }
        assertFalse(all.contains("short-secret"), "the secret is not echoed");
    }

    @Test
    void anEmptySecretIsRefusedUnlessTransportAndEveryMemberAreOnLoopback() {
        Map<String, String> loopback = Map.of(
                "SIDECAR_CLUSTER_BIND_ADDRESS",
                "127.0.0.1",
                "SIDECAR_CLUSTER_MEMBERS",
                "127.0.0.1:7800,localhost:7801,[::1]:7802,127.0.0.2:7803");
        assertTrue(ConfigLoader.load(null, loopback).cluster.enabled(), "a cluster within one host may go without");
        assertTrue(ConfigLoader.load(
                        null,
                        Map.of("SIDECAR_CLUSTER_BIND_ADDRESS", "LOOPBACK", "SIDECAR_CLUSTER_MEMBERS", "localhost:7800"))
                .cluster
                .enabled());
        List<Map<String, String>> beyond = List.of(
                Map.of("SIDECAR_CLUSTER_MEMBERS", "127.0.0.1:7800"),
                Map.of("SIDECAR_CLUSTER_BIND_ADDRESS", "SITE_LOCAL", "SIDECAR_CLUSTER_MEMBERS", "127.0.0.1:7800"),
                Map.of("SIDECAR_CLUSTER_BIND_ADDRESS", "0.0.0.0", "SIDECAR_CLUSTER_MEMBERS", "127.0.0.1:7800"),
                Map.of(
                        "SIDECAR_CLUSTER_BIND_ADDRESS",
                        "127.0.0.1",
                        "SIDECAR_CLUSTER_MEMBERS",
                        "127.0.0.1:7800,10.0.0.2:7800"),
                Map.of(
                        "SIDECAR_CLUSTER_BIND_ADDRESS",
                        "127.0.0.1",
                        "SIDECAR_CLUSTER_MEMBERS",
                        "127.0.0.1:7800,localhost.evil.example:7800"),
                Map.of(
                        "SIDECAR_CLUSTER_BIND_ADDRESS",
                        "127.0.0.1",
                        "SIDECAR_CLUSTER_MEMBERS",
                        "127.0.0.1:7800,128.0.0.1:7800"),
                Map.of("SIDECAR_CLUSTER_BIND_ADDRESS", "localhost", "SIDECAR_CLUSTER_DNS_QUERY", "sidecars.local"));
        for (Map<String, String> env : beyond) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, env), env.toString());
            assertTrue(
                    String.join("\n", e.problems()).contains("cluster.secret: required"),
                    e.problems().toString());
            Map<String, String> withSecret = new java.util.HashMap<>(env);
            withSecret.put("SIDECAR_CLUSTER_SECRET", SECRET);
            assertTrue(ConfigLoader.load(null, withSecret).cluster.enabled(), "with a secret: " + env);
        }
    }

    @Test
    void aPlainStackIsNeverBuiltBeyondLoopback() {
        SidecarConfig.Cluster c = new SidecarConfig.Cluster();
        c.members = List.of("127.0.0.1:7800");
        c.bindAddress = "10.0.0.1";
        assertThrows(IllegalStateException.class, () -> ClusterChannelAccess.protocols(c));
        c.bindAddress = "127.0.0.1";
        c.members = List.of("10.0.0.1:7800");
        assertThrows(IllegalStateException.class, () -> ClusterChannelAccess.protocols(c));
    }

    @Test
    void theStackEncryptsExactlyWhenASecretIsSet() throws Exception {
        SidecarConfig.Cluster c = new SidecarConfig.Cluster();
        c.members = List.of("127.0.0.1:7800", "127.0.0.1:7801");
        c.bindAddress = "127.0.0.1";
        List<Protocol> plain = ClusterChannelAccess.protocols(c);
        assertTrue(plain.stream().anyMatch(p -> p instanceof TCPPING));
        assertFalse(plain.stream().anyMatch(p -> p instanceof SYM_ENCRYPT || p instanceof SERIALIZE));

        c.secret = SECRET;
        List<Protocol> sealed = ClusterChannelAccess.protocols(c);
        int encrypt = indexOf(sealed, SYM_ENCRYPT.class);
        SYM_ENCRYPT sym = (SYM_ENCRYPT) sealed.get(encrypt);
        assertEquals("ChaCha20-Poly1305", sym.symAlgorithm(), "an AEAD, not JGroups' default AES (ECB, no integrity)");
        assertEquals(12, sym.simIvLength(), "a 96-bit nonce per message");
        assertTrue(
                encrypt > 0
                        && indexOf(sealed, SERIALIZE.class) == encrypt + 1
                        && sealed.get(encrypt + 2).getClass().getSimpleName().equals("NAKACK2"),
                "SERIALIZE + SYM_ENCRYPT right under NAKACK2: headers and GMS JOINs are encrypted too");

        c.members = List.of();
        c.dnsQuery = "sidecar-headless.shop.svc.cluster.local";
        assertTrue(ClusterChannelAccess.protocols(c).stream().anyMatch(p -> p instanceof DNS_PING));
    }

    @Test
    void theKeyDependsOnSecretAndClusterNameOnly() {
        byte[] k1 = ClusterChannelAccess.key(SECRET, "app");
        assertArrayEquals(k1, ClusterChannelAccess.key(SECRET, "app"), "every replica derives the same key");
        assertEquals(32, k1.length, "a 256-bit key");
        assertFalse(java.util.Arrays.equals(k1, ClusterChannelAccess.key(SECRET + "x", "app")));
        assertFalse(java.util.Arrays.equals(k1, ClusterChannelAccess.key(SECRET, "other-app")));
    }

    private static int indexOf(List<Protocol> stack, Class<?> type) {
        for (int i = 0; i < stack.size(); i++) {
            if (type.isInstance(stack.get(i))) {
                return i;
            }
        }
        return -1;
    }
}

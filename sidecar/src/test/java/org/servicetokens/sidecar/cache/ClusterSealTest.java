package org.servicetokens.sidecar.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgroups.BytesMessage;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.SidecarConfig;

/**
 * The sealing layer of the cluster stack (SERIALIZE over SYM_ENCRYPT, as {@link ClusterChannel} configures them),
 * driven directly: what leaves a replica is authenticated ciphertext, and whatever a stranger on the cluster
 * network sends or alters never reaches a protocol above it.
 */
class ClusterSealTest {

    private static final String SECRET = "seal-test-cluster-secret-0123456789";
    private static final byte[] CACHE_WRITE = ("put sessions/0f3a {\"sub\":\"alice\",\"rt\":\"refresh-token\"}"
                    + " ".repeat(200))
            .getBytes(StandardCharsets.UTF_8);

    /** Records what reaches it from either side. */
    static final class Edge extends Protocol {
        final List<Message> seen = new ArrayList<>();

        @Override
        public Object down(Message msg) {
            seen.add(msg);
            return null;
        }

        @Override
        public Object up(Message msg) {
            seen.add(msg);
            return null;
        }

        @Override
        public void up(MessageBatch batch) {
            batch.forEach(seen::add);
        }
    }

    /** One replica's SERIALIZE + SYM_ENCRYPT between a top and a bottom edge. */
    record Node(Edge top, SERIALIZE serialize, SYM_ENCRYPT encrypt, Edge bottom) {

        static Node of(String secret) throws Exception {
            SidecarConfig.Cluster c = new SidecarConfig.Cluster();
            c.name = "seal-test";
            c.bindAddress = "127.0.0.1";
            c.members = List.of("127.0.0.1:7800");
            c.secret = secret;
            List<Protocol> stack = ClusterChannelAccess.protocols(c);
            SYM_ENCRYPT encrypt = (SYM_ENCRYPT) stack.stream()
                    .filter(p -> p instanceof SYM_ENCRYPT)
                    .findFirst()
                    .orElseThrow();
            SERIALIZE serialize = (SERIALIZE) stack.stream()
                    .filter(p -> p instanceof SERIALIZE)
                    .findFirst()
                    .orElseThrow();
            Edge top = new Edge();
            Edge bottom = new Edge();
            serialize.setUpProtocol(top);
            serialize.setDownProtocol(encrypt);
            encrypt.setUpProtocol(serialize);
            encrypt.setDownProtocol(bottom);
            encrypt.init();
            return new Node(top, serialize, encrypt, bottom);
        }

        /** What this replica puts on the wire for one message from above. */
        Message seal(byte[] payload) {
            serialize.down(new BytesMessage(null, payload));
            return bottom.seen.remove(bottom.seen.size() - 1);
        }

        /** Hands a message from the wire up; returns what reached the protocols above (empty = dropped). */
        List<Message> receive(Message wire) {
            top.seen.clear();
            encrypt.up(wire);
            return List.copyOf(top.seen);
        }
    }

    private static byte[] payload(Message m) {
        return Arrays.copyOfRange(m.getArray(), m.getOffset(), m.getOffset() + m.getLength());
    }

    @Test
    void theStackUsesAnAeadWithAFreshNoncePerMessage() throws Exception {
        Node a = Node.of(SECRET);
        assertEquals(ClusterChannel.CIPHER, a.encrypt.symAlgorithm());
        assertEquals(12, a.encrypt.simIvLength());
        byte[] first = payload(a.seal(CACHE_WRITE));
        byte[] second = payload(a.seal(CACHE_WRITE));
        assertFalse(Arrays.equals(first, second), "the same cache write twice must not look the same on the wire");
        String wire = new String(first, StandardCharsets.ISO_8859_1);
        assertFalse(wire.contains("alice") || wire.contains("refresh-token"), "nothing readable");
    }

    @Test
    void aReplicaWithTheSecretReadsWhatAnotherSealed() throws Exception {
        Node a = Node.of(SECRET);
        Node b = Node.of(SECRET);
        List<Message> delivered = b.receive(a.seal(CACHE_WRITE));
        assertEquals(1, delivered.size());
        assertArrayEquals(CACHE_WRITE, payload(delivered.get(0)));
    }

    @Test
    void anAlteredMessageIsDroppedWhereverTheChange() throws Exception {
        Node a = Node.of(SECRET);
        Node b = Node.of(SECRET);
        Message sealed = a.seal(CACHE_WRITE);
        int length = sealed.getLength();
        // In the payload's ciphertext (not its last block), in the middle, and in the authentication tag.
        for (int at : new int[] {length - 40, length / 2, length - 1, 0}) {
            byte[] bytes = payload(sealed);
            bytes[at] ^= 0x01;
            Message forged = sealed.copy(false, true).setArray(bytes, 0, bytes.length);
            assertTrue(
                    b.receive(forged).isEmpty(),
                    "a message with byte " + at + " of " + length + " flipped reached GMS/NAKACK2");
        }
        byte[] cut = Arrays.copyOf(payload(sealed), length - 16);
        assertTrue(
                b.receive(sealed.copy(false, true).setArray(cut, 0, cut.length)).isEmpty(), "cut short");
    }

    @Test
    void aStrangerCanNeitherReadNorSpeak() throws Exception {
        Node member = Node.of(SECRET);
        Node stranger = Node.of("a-different-secret-9876543210");
        assertTrue(stranger.receive(member.seal(CACHE_WRITE)).isEmpty(), "the stranger reads nothing");
        assertTrue(member.receive(stranger.seal(CACHE_WRITE)).isEmpty(), "the member accepts nothing from it");
        // Header only, no payload: JGroups' Encrypt passes such a message up as it is; nothing must come of it.
        Message sealed = member.seal(CACHE_WRITE);
        Message headerOnly =
                new EmptyMessage(null).putHeader(member.encrypt.getId(), sealed.getHeader(member.encrypt.getId()));
        assertTrue(member.receive(headerOnly).isEmpty(), "a header without a sealed payload");
        assertTrue(member.receive(new BytesMessage(null, CACHE_WRITE)).isEmpty(), "plain text without the header");
    }
}

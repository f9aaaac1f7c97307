package org.servicetokens.sidecar.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.servicetokens.common.NetworkRange;

/** The client address judged against a token's networks, with and without trusted front proxies; and the range parser. */
class ClientAddressesTest {

    private static final ClientAddresses NONE = new ClientAddresses(List.of());
    private static final ClientAddresses FRONT = new ClientAddresses(List.of("10.0.0.0/8", "2001:db8::/32"));

    @Test
    void withoutTrustedProxiesThePeerIsTheClientWhateverTheHeaderSays() {
        assertEquals("192.0.2.7", ClientAddresses.text(NONE.resolve("192.0.2.7", List.of("127.0.0.2"))));
        assertNull(NONE.resolve(null, List.of("127.0.0.2")));
    }

    @Test
    void aTrustedProxysHeaderIsReadFromTheRightPastOtherTrustedProxies() {
        assertEquals("192.0.2.7", ClientAddresses.text(FRONT.resolve("10.1.1.1", List.of("192.0.2.7"))));
        assertEquals(
                "192.0.2.7",
                ClientAddresses.text(FRONT.resolve("10.1.1.1", List.of("198.51.100.1, 192.0.2.7, 10.2.2.2"))),
                "the leftmost entries were written by the client: only the first untrusted one from the right counts");
        assertEquals(
                "192.0.2.7",
                ClientAddresses.text(FRONT.resolve("10.1.1.1", List.of("198.51.100.1", "192.0.2.7,10.3.3.3"))),
                "several headers are one list, in order");
        assertEquals("192.0.2.7", ClientAddresses.text(FRONT.resolve("2001:db8::1", List.of("::ffff:192.0.2.7"))));
        assertEquals(
                "10.1.1.1", ClientAddresses.text(FRONT.resolve("10.1.1.1", List.of())), "no header: the proxy itself");
    }

    @Test
    void anUnreadableForwardedChainMakesTheAddressUnknown() {
        assertNull(FRONT.resolve("10.1.1.1", List.of("192.0.2.7:443")), "ports are not accepted");
        assertNull(FRONT.resolve("10.1.1.1", List.of("unknown")));
        assertNull(FRONT.resolve("10.1.1.1", List.of("192.0.2.7, ")), "an empty entry");
        assertNull(FRONT.resolve("10.1.1.1", List.of("10.2.2.2, 10.3.3.3")), "only trusted proxies");
        assertNull(FRONT.resolve("10.1.1.1", List.of("10.9.9.9,".repeat(25) + "10.9.9.9")), "too many hops");
    }

    @Test
    void trustedProxiesAreParsedStrictly() {
        assertThrows(IllegalArgumentException.class, () -> new ClientAddresses(List.of("10.0.0.1/8")));
        assertThrows(IllegalArgumentException.class, () -> new ClientAddresses(List.of("localhost")));
    }

    @Test
    void rangesParseAndMatchAsTheProvidersDo() {
        assertEquals("2001:db8::/32", NetworkRange.parse("2001:0DB8:0000::/32").toString());
        assertEquals("127.0.0.2/32", NetworkRange.parse("127.0.0.2").toString());
        for (String bad : List.of(
                "010.0.0.0/8", "1.2.3", "10.0.0.0/33", "[::1]/128", "fe80::1%eth0", "::ffff:10.0.0.0/104", "1::2::3")) {
            assertThrows(IllegalArgumentException.class, () -> NetworkRange.parse(bad), bad);
        }
        assertTrue(NetworkRange.parse("127.0.0.2/32").contains(NetworkRange.parseAddress("127.0.0.2")));
        assertFalse(NetworkRange.parse("127.0.0.2/32").contains(NetworkRange.parseAddress("127.0.0.1")));
        assertTrue(NetworkRange.parse("::1/128").contains(NetworkRange.parseAddress("0:0:0:0:0:0:0:1")));
        assertArrayEquals(new byte[] {10, 1, 2, 3}, NetworkRange.parseAddress("::ffff:10.1.2.3"));
        assertEquals("2001:db8:0:0:0:0:0:1", ClientAddresses.text(NetworkRange.parseAddress("2001:db8::1")));
    }
}

package org.servicetokens.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.servicetokens.keycloak.model.AllowedNetworks;

/** Strict CIDR parsing (IPv4 and IPv6), the normal form, and matching of client addresses as Keycloak reports them. */
class NetworkRangeTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "10.0.0.0/8, 10.0.0.0/8",
        "127.0.0.2/32, 127.0.0.2/32",
        "127.0.0.2, 127.0.0.2/32",
        "0.0.0.0/0, 0.0.0.0/0",
        "192.168.1.128/25, 192.168.1.128/25",
        "2001:db8::/32, 2001:db8::/32",
        "2001:0DB8:0000:0000:0000:0000:0000:0000/32, 2001:db8::/32",
        "::1, ::1/128",
        "::/0, ::/0",
        "fe80::/10, fe80::/10",
        "2001:db8:0:0:1:0:0:0/80, 2001:db8:0:0:1::/80",
        "2001:db8:0:1:0:0:0:0/64, 2001:db8:0:1::/64",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1/128",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3/128",
        "1:0:0:2:2:0:0:3, 1::2:2:0:0:3/128",
        "64:ff9b::192.0.2.0/120, 64:ff9b::c000:200/120",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0/128",
    })
    void parsesAndNormalises(String text, String normal) {
        assertEquals(normal, NetworkRange.parse(text).toString());
        assertEquals(normal, NetworkRange.parse(normal).toString(), "the normal form parses to itself");
    }

    @ParameterizedTest(name = "refused: [{0}]")
    @ValueSource(
            strings = {
                "",
                "10.0.0.0/",
                "/8",
                "10.0.0/8",
                "10.0.0.0.0/8",
                "010.0.0.0/8",
                "10.0.0.256/32",
                "10.0.0.0/33",
                "10.0.0.0/08",
                "10.0.0.0/-1",
                "10.0.0.0/+8",
                "10.0.0.0 /8",
                " 10.0.0.0/8",
                "10.0.0.0/8 ",
                "10.0.0.0/8/8",
                "1.2.3",
                "0x0a.0.0.0/8",
                "localhost",
                "example.com/32",
                "[::1]/128",
                "fe80::1%eth0/128",
                ":::/0",
                "1::2::3/128",
                "12345::/16",
                "g::/16",
                "2001:db8::/129",
                "1:2:3:4:5:6:7:8:9/128",
                "1:2:3:4:5:6:7/128",
                "::ffff:10.0.0.0/104",
                "::ffff:10.0.0.1",
                "::1.2.3/128",
                "1.2.3.4::/128",
                "２001:db8::/32",
                "١٠.0.0.0/8",
                "10.0.0.0/８"
            })
    void refusesMalformedRanges(String text) {
        assertThrows(IllegalArgumentException.class, () -> NetworkRange.parse(text));
    }

    @Test
    void refusesBitsPastThePrefixNamingTheRangeMeant() {
        IllegalArgumentException v4 =
                assertThrows(IllegalArgumentException.class, () -> NetworkRange.parse("10.1.2.3/8"));
        assertTrue(v4.getMessage().contains("the range is 10.0.0.0/8"), v4.getMessage());
        IllegalArgumentException v6 =
                assertThrows(IllegalArgumentException.class, () -> NetworkRange.parse("2001:db8::1/32"));
        assertTrue(v6.getMessage().contains("the range is 2001:db8::/32"), v6.getMessage());
    }

    @Test
    void messagesNeverEchoUnprintableInput() {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> NetworkRange.parse("10.0.0.0\n/8"));
        assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
    }

    @ParameterizedTest(name = "{1} in {0}: {2}")
    @CsvSource({
        "127.0.0.2/32, 127.0.0.2, true",
        "127.0.0.2/32, 127.0.0.1, false",
        "10.0.0.0/8, 10.255.255.255, true",
        "10.0.0.0/8, 11.0.0.0, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "192.168.1.128/25, 192.168.1.127, false",
        "192.168.1.128/25, 192.168.1.200, true",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "2001:db8::/32, 2001:0db8:0:0:0:0:0:1, true",
        "2001:db8::/32, 2001:db9::1, false",
        "::1/128, 0:0:0:0:0:0:0:1, true",
        "::1/128, ::2, false",
        "fe80::/10, fe80::1%2, true",
        "fe80::/10, febf::1, true",
        "fe80::/10, fec0::1, false",
        "10.0.0.0/8, ::ffff:10.1.2.3, true",
        "10.0.0.0/8, 0:0:0:0:0:ffff:a01:203, true",
        "::/0, 10.0.0.1, false",
        "0.0.0.0/0, ::1, false",
        "0.0.0.0/0, not-an-address, false",
        "0.0.0.0/0, 010.0.0.1, false",
    })
    void matchesClientAddresses(String range, String address, boolean inside) {
        assertEquals(inside, NetworkRange.parse(range).contains(NetworkRange.parseAddress(address)));
    }

    @Test
    void unreadableClientAddressesAreNull() {
        assertNull(NetworkRange.parseAddress(null));
        assertNull(NetworkRange.parseAddress("x".repeat(100)));
        assertNull(NetworkRange.parseAddress("unknown"));
    }

    @Test
    void listsAreBoundedDeduplicatedAndNamedByIndex() {
        AllowedNetworks networks =
                AllowedNetworks.parse(List.of("10.0.0.0/8", "2001:DB8::/32", "10.0.0.0/8", "2001:db8::/32"));
        assertEquals(List.of("10.0.0.0/8", "2001:db8::/32"), networks.texts());
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class, () -> AllowedNetworks.parse(List.of("10.0.0.0/8", "10.0.0.300/8")));
        assertTrue(refused.getMessage().startsWith("'networks[1]': "), refused.getMessage());
        List<String> tooMany = java.util.stream.IntStream.range(0, AllowedNetworks.MAX_RANGES + 1)
                .mapToObj(i -> "10.0.0." + i)
                .toList();
        assertThrows(IllegalArgumentException.class, () -> AllowedNetworks.parse(tooMany));
        assertEquals(
                AllowedNetworks.MAX_RANGES,
                AllowedNetworks.parse(tooMany.subList(0, AllowedNetworks.MAX_RANGES))
                        .ranges()
                        .size());
    }

    @Test
    void storedFormRoundTripsAndUnreadableAllowsNothing() {
        AllowedNetworks networks = AllowedNetworks.parse(List.of("127.0.0.2/32", "::1"));
        assertEquals(networks, AllowedNetworks.readStored(networks.format()).orElseThrow());
        assertEquals(AllowedNetworks.ANY, AllowedNetworks.readStored(null).orElseThrow());
        assertNull(AllowedNetworks.ANY.format(), "no restriction: no attribute");
        assertTrue(AllowedNetworks.readStored("[\"10.1.2.3/8\"]").isEmpty(), "host bits set");
        assertTrue(AllowedNetworks.readStored("10.0.0.0/8").isEmpty(), "not JSON");
        assertTrue(AllowedNetworks.ANY.allows(null));
        assertFalse(AllowedNetworks.NOTHING.allows("127.0.0.1"));
        assertTrue(networks.allows("127.0.0.2"));
        assertFalse(networks.allows("127.0.0.1"));
    }
}

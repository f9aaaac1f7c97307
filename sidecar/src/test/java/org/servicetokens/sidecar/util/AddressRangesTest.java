package org.servicetokens.sidecar.util;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressRangesTest {

  private static AddressRanges parse(String... entries) {
    List<String> problems = new ArrayList<>();
    AddressRanges r = AddressRanges.parse("k", List.of(entries), problems);
    assertEquals(List.of(), problems);
    return r;
  }

  @Test
  void matchesIpv4RangesAndSingleAddresses() {
    AddressRanges r = parse("10.0.0.0/8", "192.168.1.7", "172.16.0.0/12");
    assertTrue(r.contains("10.255.0.1"));
    assertTrue(r.contains("192.168.1.7"));
    assertFalse(r.contains("192.168.1.8"));
    assertTrue(r.contains("172.31.255.255"));
    assertFalse(r.contains("172.32.0.0"));
    assertFalse(r.contains("11.0.0.1"));
  }

  @Test
  void matchesIpv6AndMappedIpv4() {
    AddressRanges r = parse("::1/128", "fd00::/8", "127.0.0.1/32");
    assertTrue(r.contains("::1"));
    assertTrue(r.contains("0:0:0:0:0:0:0:1"));
    assertTrue(r.contains("fd12:3456::9"));
    assertFalse(r.contains("fe80::1"));
    assertTrue(r.contains("::ffff:127.0.0.1"), "an IPv4-mapped address is the IPv4 peer");
    assertFalse(r.contains("::ffff:127.0.0.2"));
    assertTrue(parse("0.0.0.0/0").contains("8.8.8.8"));
  }

  @Test
  void emptyListTrustsNobody() {
    assertFalse(AddressRanges.none().contains("127.0.0.1"));
    assertFalse(parse().contains("::1"));
    assertFalse(parse("127.0.0.1").contains(null));
  }

  @Test
  void refusesNamesBadPrefixesHostBitsAndOddSpellings() {
    List<String> problems = new ArrayList<>();
    AddressRanges r = AddressRanges.parse("forward-auth.trusted-proxies",
        List.of("localhost", "10.0.0.0/33", "10.1.2.3/8", "010.0.0.1", "1.2.3", "::1/129", "fe80::1%eth0", "1::2::3",
            "10.0.0.0/-1", "10.0.0.0/ 8"), problems);
    assertEquals(10, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("forward-auth.trusted-proxies: 'localhost'"));
    assertTrue(r.isEmpty());
    assertFalse(r.contains("10.0.0.1"));
  }

  @Test
  void garbagePeersNeverMatch() {
    AddressRanges r = parse("0.0.0.0/0", "::/0");
    assertFalse(r.contains("not-an-ip"));
    assertFalse(r.contains("1.2.3.4.5"));
    assertFalse(r.contains(""));
  }
}

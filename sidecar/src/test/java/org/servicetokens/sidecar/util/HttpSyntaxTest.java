package org.servicetokens.sidecar.util;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpSyntaxTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "a",
                "EXAMPLE.com",
                "app-1.example.com:8443",
                "localhost:1",
                "x:65535",
                "127.0.0.1",
                "127.0.0.1:8000",
                "under_score.example",
                "tilde~host",
                "[::1]",
                "[::1]:8080",
                "[::]",
                "[2001:db8::1]",
                "[2001:db8:0:0:0:0:2:1]",
                "[1:2:3:4:5:6:7:8]",
                "[::ffff:192.0.2.1]",
                "[1:2:3:4:5:6:1.2.3.4]",
                "[1::]",
                "[1:2:3:4:5:6:7::]",
                "[::1:2:3:4:5:6:7]",
                "[FE80::1]",
                "999.1.1.1"
            })
    void acceptsHosts(String host) {
        assertTrue(HttpSyntax.isValidAuthority(host), host);
    }

    /** Each is a way a Host can mean two things (userinfo, lists, paths, spaces, odd ports) or no host at all. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ":80",
                "user@example.com",
                "user:pw@example.com",
                "evil.com@good.com",
                "a b",
                " a",
                "a ",
                "a\tb",
                "a,b",
                "good.com,evil.com",
                "a;b",
                "a/b",
                "a\\b",
                "a?b",
                "a#b",
                "a%2fb",
                "a%00",
                "a'b",
                "a\"b",
                "a(b)",
                "a*b",
                "a+b",
                "a=b",
                "a!b",
                "a$b",
                "a&b",
                "a<b",
                "caf\u00e9.com",
                "example.com:",
                "example.com:0",
                "example.com:65536",
                "example.com:99999",
                "example.com:123456",
                "example.com:080",
                "example.com:-1",
                "example.com:8o",
                "example.com: 80",
                "example.com:80:80",
                "example.com::80",
                "[::1",
                "::1",
                "[::1]x",
                "[::1]:",
                "[::1]:0",
                "[zz::1]",
                "[1:2:3:4:5:6:7:8:9]",
                "[1::2::3]",
                "[:1]",
                "[1:]",
                "[12345::]",
                "[fe80::1%25eth0]",
                "[v1.fe80]",
                "[1.2.3.4]",
                "[::1.2.3]",
                "[::256.1.1.1]",
                "[::01.1.1.1]",
                "[]",
                "[1:2:3:4:5:6:7:1.2.3.4]",
                "\u0000",
                "a\r\nb"
            })
    void refusesHosts(String host) {
        assertFalse(HttpSyntax.isValidAuthority(host), host);
    }

    @Test
    void refusesHostsLongerThan255() {
        assertTrue(HttpSyntax.isValidAuthority("a".repeat(255)));
        assertFalse(HttpSyntax.isValidAuthority("a".repeat(256)));
        assertFalse(HttpSyntax.isValidAuthority("a".repeat(15 * 1024)));
    }

    @Test
    void splitHostAndPort() {
        assertTrue(HttpSyntax.isValidHostAndPort("example.com", -1));
        assertTrue(HttpSyntax.isValidHostAndPort("[::1]", 443));
        assertFalse(HttpSyntax.isValidHostAndPort("", -1));
        assertFalse(HttpSyntax.isValidHostAndPort("example.com", 0));
        assertFalse(HttpSyntax.isValidHostAndPort("a,b", 80));
        assertFalse(HttpSyntax.isValidHostAndPort("[::1", 80));
    }

    @Test
    void tokens() {
        for (String t :
                new String[] {"GET", "delete", "PROPFIND", "VERSION-CONTROL", "M-SEARCH", "!#$%&'*+-.^_`|~09"}) {
            assertTrue(HttpSyntax.isToken(t), t);
        }
        for (String t : new String[] {
            "", "GE T", "GET(", "GE\"T", "G/T", "GET:", "G@T", "G,T", "G;T", "G{T}", "GÉT", "GET\0", "GET\r\n"
        }) {
            assertFalse(HttpSyntax.isToken(t), t);
        }
    }

    @Test
    void controlCharacters() {
        assertFalse(HttpSyntax.hasControlCharacter("a\tb c~"));
        for (String v :
                new String[] {"\r", "\n", "\r\n", "a\r\n X-Auth-Subject: root", "\u0000", "a\u0001", "\u001f", "\u007f"
                }) {
            assertTrue(HttpSyntax.hasControlCharacter(v), v);
        }
    }
}

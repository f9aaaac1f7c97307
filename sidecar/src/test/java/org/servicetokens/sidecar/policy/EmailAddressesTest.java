package org.servicetokens.sidecar.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which addresses the e-mail conditions can match, and which configured entries are accepted. */
class EmailAddressesTest {

    @Test
    void plainAddressesAreFoldedForAsciiOnly() {
        assertEquals("alice@corp.com", EmailAddresses.address("Alice@CORP.com"));
        assertEquals("corp.com", EmailAddresses.domain("Alice@CORP.com"));
        assertEquals("xn--bcher-kva.de", EmailAddresses.domain("b@XN--BCHER-KVA.de"), "IDNs as A-labels");
        assertEquals(
                "j\u00d6rg@corp.com",
                EmailAddresses.address("J\u00d6rg@corp.com"),
                "non-ASCII local parts keep their case");
        assertEquals("a@localhost", EmailAddresses.address("a@localhost"));
    }

    @Test
    void anythingButAPlainAddressMatchesNothing() {
        for (String email : List.of(
                "a@corp.com.",
                "a@corp.com@evil.com",
                "\"a@corp.com\"@evil.com",
                "@corp.com",
                "corp.com",
                "a@",
                "a@-corp.com",
                "a@corp-.com",
                "a@corp..com",
                "a@.corp.com",
                "a@[10.0.0.1]",
                "a b@corp.com",
                "a\r\n@corp.com",
                "a@c\u043erp.com",
                "a@\u212Aeycloak.org",
                "a@b\u00fccher.de",
                "a@corp.com\u0000",
                "a@" + "x".repeat(64) + ".com",
                "a".repeat(250) + "@c.com")) {
            assertNull(EmailAddresses.address(email), email);
            assertNull(EmailAddresses.domain(email), email);
        }
        assertNull(EmailAddresses.address(null));
    }

    @Test
    void configuredEntriesMustBePlainToo() {
        List<String> problems = new ArrayList<>();
        assertEquals("corp.com", EmailAddresses.ruleDomain("@Corp.COM", "k", problems));
        assertEquals("alice@corp.com", EmailAddresses.ruleAddress("Alice@Corp.com", "k", problems));
        assertTrue(problems.isEmpty(), problems.toString());
        for (String domain : List.of("corp.com.", "*.corp.com", "b\u00fccher.de", "", "corp com")) {
            assertNull(EmailAddresses.ruleDomain(domain, "emailDomains", problems), domain);
        }
        assertNull(EmailAddresses.ruleAddress("alice", "emails", problems));
        assertNull(EmailAddresses.ruleAddress("a@b@corp.com", "emails", problems));
        assertEquals(7, problems.size(), problems.toString());
    }
}

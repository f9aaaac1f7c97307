package org.servicetokens.keycloak.authenticator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6749 §2.3.1: Basic credentials are form-url-encoded; decoding refuses what it cannot decode exactly. */
class ClientCredentialsTest {

    @Test
    void decodesFormEncoding() {
        assertEquals("ci-deployer", ClientCredentials.formDecode("ci%2Ddeployer"));
        assertEquals("a b", ClientCredentials.formDecode("a+b"));
        assertEquals("a+b", ClientCredentials.formDecode("a%2Bb"));
        assertEquals("é", ClientCredentials.formDecode("%C3%A9"));
        assertEquals("é", ClientCredentials.formDecode("é"));
        assertEquals("𝄞", ClientCredentials.formDecode("𝄞"));
        assertEquals("", ClientCredentials.formDecode(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kcst_%zz", "%", "%4", "abc%", "%G1", "%C3", "%FF", "%C0%AE", "%ED%A0%80", "\uD800"})
    void refusesMalformedPercentEncodingAndNonUtf8(String encoded) {
        assertNull(ClientCredentials.formDecode(encoded));
    }
}

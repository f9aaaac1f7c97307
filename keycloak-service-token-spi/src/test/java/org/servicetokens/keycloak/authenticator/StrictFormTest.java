package org.servicetokens.keycloak.authenticator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The token endpoint's form read strictly, keeping what decodes so the client can still be named. */
class StrictFormTest {

    @Test
    void readsAWellFormedBody() {
        StrictForm form = parse("grant_type=client_credentials&client_id=bot%2D1&scope=a+b&flag&&empty=");
        assertFalse(form.malformed());
        assertEquals("bot-1", form.single("client_id"));
        assertEquals("a b", form.single("scope"));
        assertEquals("", form.single("flag"));
        assertEquals("", form.single("empty"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "client_id=bot&client_secret=kcst_%zz",
                "client_id=bot&client_secret=kcst_%",
                "client_id=bot&scope=%C3",
                "client_id=bot&%zz=x",
                "client_id=bot&client_secret=%ED%A0%80"
            })
    void keepsWhatDecodesWhenSomethingDoesNot(String body) {
        StrictForm form = parse(body);
        assertTrue(form.malformed(), body);
        assertEquals("bot", form.single("client_id"), "the client is still named");
    }

    @Test
    void aBodyThatIsNotUtf8IsMalformed() {
        byte[] body = {'c', 'l', 'i', 'e', 'n', 't', '_', 'i', 'd', '=', (byte) 0xFF};
        assertTrue(StrictForm.parse(body).malformed());
    }

    @Test
    void aRepeatedParameterHasNoSingleValue() {
        StrictForm form = parse("client_id=a&client_id=b");
        assertEquals(List.of("a", "b"), form.parameters().get("client_id"));
        assertNull(form.single("client_id"));
    }

    @Test
    void printsNoValue() {
        assertFalse(parse("client_secret=kcst_topsecret").toString().contains("topsecret"));
    }

    @Test
    void readsTheClientOfABasicHeader() {
        String header = "Basic "
                + java.util.Base64.getEncoder().encodeToString("bot%2D1:kcst_%zz".getBytes(StandardCharsets.UTF_8));
        assertEquals("bot-1", ClientCredentials.basicClientId(header));
        assertNull(ClientCredentials.basicClientId("Bearer x"));
        assertNull(ClientCredentials.basicClientId("Basic !!!"));
        assertNull(ClientCredentials.basicClientId(null));
    }

    private static StrictForm parse(String body) {
        return StrictForm.parse(body.getBytes(StandardCharsets.UTF_8));
    }
}

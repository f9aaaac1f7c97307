package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * The client credentials grant made for a bot carries the bot's address as X-Forwarded-For (so Keycloak, trusting
 * the sidecar, judges the token's networks by it), and Keycloak's refusal is remembered for that address only.
 * The test client is the trusted front proxy here (127.0.0.1), so its X-Forwarded-For names the bot.
 */
class ExchangeForwardedForTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> c.listen.trustedProxies = List.of("127.0.0.1/32"));

    private static String[] from(String address, String id, String secret) {
        return new String[] {"KC-Access-Client-Id", id, "KC-Access-Client-Secret", secret, "X-Forwarded-For", address};
    }

    @Test
    void aRefusalForOneAddressDoesNotRefuseAnother() {
        String secret = TestSecrets.of("fwd-bot");
        h.keycloak.clients.put(
                "fwd-bot", new FakeKeycloak.Client(secret, "sub-fwd-bot", "fwd-bot token", List.of("demo-app")));
        h.keycloak.refuseForwardedFor = "192.0.2.66";
        h.keycloak.forwardedForSeen.clear();
        int before = h.keycloak.tokenCalls.get();

        assertEquals(
                401,
                h.http.get("/f/1", from("192.0.2.66", "fwd-bot", secret)).status(),
                "Keycloak refused that address");
        assertEquals(
                401, h.http.get("/f/2", from("192.0.2.66", "fwd-bot", secret)).status(), "remembered for it");
        assertEquals(before + 1, h.keycloak.tokenCalls.get(), "the second answer came from the remembered refusal");
        assertEquals(
                200,
                h.http.get("/f/3", from("192.0.2.7", "fwd-bot", secret)).status(),
                "another address is asked afresh, not refused from memory");
        assertEquals(
                List.of("192.0.2.66", "192.0.2.7"), h.keycloak.forwardedForSeen, "each grant named the bot's address");
        h.keycloak.refuseForwardedFor = null;
    }
}

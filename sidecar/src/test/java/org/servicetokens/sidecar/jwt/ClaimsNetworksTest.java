package org.servicetokens.sidecar.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.servicetokens.common.NetworkRange;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;

/** The provider's {@code service_token.networks} claim: read strictly, and an identity limited by it. */
class ClaimsNetworksTest {

    private static JsonObject claims(Object networks) {
        JsonObject serviceToken =
                new JsonObject().put("id", "t1").put("name", "bot").put("secret", "s1");
        if (networks != null) {
            serviceToken.put("networks", networks);
        }
        return new JsonObject()
                .put("sub", "u1")
                .put("iat", 1)
                .put("exp", 2)
                .put("azp", "bot-x")
                .put("service_token", serviceToken);
    }

    @Test
    void aTokenWithoutNetworksMayComeFromAnywhere() {
        Identity identity = Claims.toIdentity(claims(null));
        assertNull(identity.networks());
        assertTrue(identity.allowsAddress(null));
        assertTrue(identity.allowsAddress(NetworkRange.parseAddress("203.0.113.9")));
    }

    @Test
    void aTokenWithNetworksIsAllowedOnlyFromInsideThem() {
        Identity identity =
                Claims.toIdentity(claims(new JsonArray().add("127.0.0.1/32").add("2001:db8::/32")));
        assertEquals(2, identity.networks().size());
        assertTrue(identity.allowsAddress(NetworkRange.parseAddress("127.0.0.1")));
        assertTrue(identity.allowsAddress(NetworkRange.parseAddress("2001:db8::5")));
        assertFalse(identity.allowsAddress(NetworkRange.parseAddress("127.0.0.2")));
        assertFalse(identity.allowsAddress(null), "an unknown address is never inside");
        assertEquals(2, identity.withType(Identity.Type.USER).networks().size(), "the limit survives a copy");
        assertFalse(
                Claims.toIdentity(claims(new JsonArray())).allowsAddress(NetworkRange.parseAddress("127.0.0.1")),
                "an empty list allows nothing");
    }

    @Test
    void aMalformedClaimRefusesTheTokenInsteadOfIgnoringTheLimit() {
        for (Object bad : new Object[] {
            "127.0.0.1/32",
            new JsonArray().add(5),
            new JsonArray().add("10.1.2.3/8"),
            new JsonArray().add("localhost"),
            new JsonObject()
        }) {
            AuthenticationFailure refused = assertThrows(
                    AuthenticationFailure.class, () -> Claims.toIdentity(claims(bad)), String.valueOf(bad));
            assertEquals("malformed_service_token", refused.reason());
        }
    }
}

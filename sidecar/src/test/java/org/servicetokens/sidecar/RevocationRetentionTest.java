package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * A revocation record lives {@code revocation.retention}; a token that would still be valid after a record written
 * now expires would be accepted again once it is gone. Such a token is refused (fail closed), whatever the realm's
 * token lifespan says.
 */
class RevocationRetentionTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> c.revocation.retention = Duration.ofMinutes(10));

    private static Http.Response bearer(long expiresIn) {
        JsonObject claims = h.keycloak.claims("user-1");
        claims.put("exp", claims.getLong("iat") + expiresIn);
        return h.http.get("/x", "Authorization", h.bearer(h.keycloak.token(claims)), "Accept", "application/json");
    }

    @Test
    void aTokenThatWouldOutliveARevocationIsRefused() {
        assertEquals(200, bearer(300).status(), "within the retention");
        Http.Response r = bearer(3600);
        assertEquals(401, r.status(), r.body());
        assertEquals("token_outlives_revocation", new JsonObject(r.body()).getString("reason"));
    }
}

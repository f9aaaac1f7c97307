package org.servicetokens.sidecar.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Back-channel logout tokens (OIDC Back-Channel Logout 1.0 §2.4) as Keycloak sends them to a harness's sidecar:
 * JOSE {@code typ} {@code logout+jwt}, signed by the fake realm's key, for the app {@code demo-app}, fresh.
 */
public final class LogoutTokens {

    /** The back-channel logout event's member name in the {@code events} claim. */
    public static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";

    private LogoutTokens() {}

    /** The JOSE header: RS256 with the harness key {@code k1}, {@code typ logout+jwt}. */
    public static JsonObject header() {
        return new JsonObject().put("alg", "RS256").put("typ", "logout+jwt").put("kid", "k1");
    }

    /**
     * A valid logout token's claims: this realm's {@code iss}, {@code aud demo-app}, {@code iat} now, {@code exp} in
     * 120 s, a fresh {@code jti}, the event, and {@code sub} unless it is null (then add a {@code sid}).
     */
    public static JsonObject claims(Harness h, String sub) {
        long now = System.currentTimeMillis() / 1000;
        JsonObject claims = new JsonObject()
                .put("iss", h.keycloak.issuer())
                .put("aud", "demo-app")
                .put("iat", now)
                .put("exp", now + 120)
                .put("jti", UUID.randomUUID().toString());
        if (sub != null) {
            claims.put("sub", sub);
        }
        return claims.put("events", new JsonObject().put(EVENT, new JsonObject()));
    }

    /** {@code claims} signed with the harness key under {@link #header()}. */
    public static String sign(Harness h, JsonObject claims) {
        return h.key.sign(header(), claims);
    }

    /** POSTs {@code logout_token} to the harness sidecar's back-channel logout endpoint, as Keycloak does. */
    public static Http.Response post(Harness h, String token) {
        return h.http.send(
                HttpMethod.POST,
                "/.sidecar/backchannel-logout",
                Buffer.buffer("logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)),
                "Content-Type",
                "application/x-www-form-urlencoded");
    }
}

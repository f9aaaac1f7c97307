package org.servicetokens.sidecar.session;

import io.vertx.core.json.JsonObject;

/**
 * One browser session as kept server-side: the Keycloak tokens and what is needed to keep them fresh. Stored
 * encrypted ({@link SessionCipher}); never logged ({@link #toString()} leaves the tokens out).
 *
 * @param subject          the user's {@code sub}
 * @param keycloakSession  Keycloak's SSO session id ({@code sid}), the key of back-channel logouts
 * @param accessExpiresAt  the access token's {@code exp} (epoch seconds)
 * @param refreshExpiresAt when the refresh token stops working (epoch seconds; 0 = Keycloak gave no limit)
 */
public record SessionRecord(
        String subject,
        String keycloakSession,
        String accessToken,
        String refreshToken,
        String idToken,
        long accessExpiresAt,
        long refreshExpiresAt,
        long createdAt) {

    public SessionRecord refreshed(
            String newAccess, String newRefresh, String newId, long newAccessExp, long newRefreshExp) {
        return new SessionRecord(
                subject,
                keycloakSession,
                newAccess,
                newRefresh != null ? newRefresh : refreshToken,
                newId != null ? newId : idToken,
                newAccessExp,
                newRefresh != null ? newRefreshExp : refreshExpiresAt,
                createdAt);
    }

    JsonObject toJson() {
        return new JsonObject()
                .put("sub", subject)
                .put("sid", keycloakSession)
                .put("at", accessToken)
                .put("rt", refreshToken)
                .put("it", idToken)
                .put("atExp", accessExpiresAt)
                .put("rtExp", refreshExpiresAt)
                .put("created", createdAt);
    }

    static SessionRecord fromJson(JsonObject j) {
        return new SessionRecord(
                j.getString("sub"),
                j.getString("sid"),
                j.getString("at"),
                j.getString("rt"),
                j.getString("it"),
                j.getLong("atExp", 0L),
                j.getLong("rtExp", 0L),
                j.getLong("created", 0L));
    }

    @Override
    public String toString() {
        return "SessionRecord[subject=" + subject + ", accessExpiresAt=" + accessExpiresAt + ", tokens=***]";
    }
}

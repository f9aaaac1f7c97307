package org.servicetokens.keycloak.revocation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.common.util.SecretGenerator;
import org.keycloak.representations.LogoutToken;
import org.keycloak.util.JsonSerialization;
import org.keycloak.util.TokenUtil;
import org.servicetokens.keycloak.model.ServiceTokenProtocol;

/**
 * What one push tells an application about one service token, as stored in {@link PushOutbox} and sent as an
 * OIDC Back-Channel Logout 1.0 logout token (§2.4: {@code iss}, {@code aud}, {@code iat}, {@code exp}, {@code jti},
 * {@code sub}, the back-channel-logout member of {@code events}, no {@code nonce}; JOSE {@code typ} is
 * {@code logout+jwt}, set by Keycloak's token manager for logout tokens) with one extra claim:
 *
 * <pre>
 * service_token: {id, client_id, reason,
 *                 revoke: "token" | "secret" | "none",
 *                 secrets: [secret ids],   // token: every live secret's id; secret: the retired ones; none: []
 *                 cutoff: epoch seconds}   // when the change happened; iat is when this copy was signed
 * </pre>
 *
 * {@code revoke: "token"}: every JWT of the token ({@code sub}) issued before {@code cutoff}, and every JWT naming
 * one of {@code secrets} (so one minted in the cut-off's own second too). {@code revoke: "secret"}: only JWTs whose
 * {@code service_token.secret} is listed; JWTs minted with the current secret are untouched. {@code revoke: "none"}:
 * nothing is revoked, but what the token's next JWT would say changed (applications, enabled, expiry, name), so
 * the receiver drops what it cached for the token and exchanges afresh. {@code iat} is the signing time, so a copy
 * retried long after the change is still fresh for the receiver.
 *
 * @param issuer the issuer known when the change was made, used only when the realm's issuer cannot be resolved
 *               without a request (see {@link RealmIssuer})
 * @param deletedApplication set only on the push to an application that the change itself deletes (its client is
 *               gone by the time the push is sent): where to send it and the {@code aud} to give it; null otherwise
 */
record TokenNotice(
        Revoke revoke,
        String subject,
        String tokenId,
        String tokenClientId,
        String reason,
        List<String> secrets,
        long cutoff,
        String issuer,
        DeletedApplication deletedApplication) {

    enum Revoke {
        token,
        secret,
        none
    }

    /** The receiving application as it was when it was deleted: its client ID and back-channel logout URL. */
    record DeletedApplication(String clientId, String url) {}

    /** A notice to applications that outlive the change (every change but the deletion of the application). */
    TokenNotice(
            Revoke revoke,
            String subject,
            String tokenId,
            String tokenClientId,
            String reason,
            List<String> secrets,
            long cutoff,
            String issuer) {
        this(revoke, subject, tokenId, tokenClientId, reason, secrets, cutoff, issuer, null);
    }

    static final String CLAIM = ServiceTokenProtocol.CLAIM;
    private static final long LIFESPAN_SECONDS = 120;
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    TokenNotice {
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static TokenNotice fromJson(String json) {
        try {
            return JSON.readValue(json, TokenNotice.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable push payload", e);
        }
    }

    /** The unsigned logout token for one application, signed at {@code nowSeconds}. */
    LogoutToken logoutToken(String realmIssuer, String audience, long nowSeconds) {
        LogoutToken token = new LogoutToken();
        token.id(SecretGenerator.getInstance().generateSecureID());
        token.iat(nowSeconds);
        token.exp(nowSeconds + LIFESPAN_SECONDS);
        token.issuer(realmIssuer);
        token.addAudience(audience);
        token.setSubject(subject);
        token.putEvents(TokenUtil.TOKEN_BACKCHANNEL_LOGOUT_EVENT, JsonSerialization.createObjectNode());
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("id", tokenId);
        claim.put("client_id", tokenClientId);
        claim.put("reason", reason);
        claim.put("revoke", revoke.name());
        claim.put("secrets", secrets);
        claim.put("cutoff", cutoff);
        token.setOtherClaims(CLAIM, claim);
        return token;
    }
}

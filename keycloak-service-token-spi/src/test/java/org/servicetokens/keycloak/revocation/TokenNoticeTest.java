package org.servicetokens.keycloak.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.TokenCategory;

class TokenNoticeTest {

    static final TokenNotice NOTICE = new TokenNotice(
            TokenNotice.Revoke.secret,
            "sub-1",
            "token-1",
            "ci-bot-abc",
            "grace-period-ended",
            List.of("AbCdEfGhIj-_"),
            1_700_000_000L,
            "http://kc.example/realms/demo");

    @Test
    void theStoredPayloadRoundTripsAndHoldsNoToken() {
        String json = NOTICE.toJson();
        assertEquals(NOTICE, TokenNotice.fromJson(json));
        assertTrue(json.length() < 4000, "fits the PAYLOAD column");
        assertFalse(json.contains("eyJ"), "no signed token at rest");
    }

    @Test
    void aPushToADeletedApplicationCarriesItsAddressAndOlderRowsStillRead() {
        TokenNotice toDeleted = new TokenNotice(
                TokenNotice.Revoke.token,
                "sub-1",
                "token-1",
                "ci-bot-abc",
                "application-deleted",
                List.of("AbCdEfGhIj-_"),
                1_700_000_000L,
                null,
                new TokenNotice.DeletedApplication("app-x", "http://app-x:8000/.sidecar/backchannel-logout"));
        assertEquals(toDeleted, TokenNotice.fromJson(toDeleted.toJson()));
        String written = NOTICE.toJson();
        assertNull(TokenNotice.fromJson(written).deletedApplication());
        String beforeTheField = written.replace(",\"deletedApplication\":null", "");
        assertFalse(beforeTheField.contains("deletedApplication"));
        assertEquals(NOTICE, TokenNotice.fromJson(beforeTheField), "rows written before the field existed still read");
    }

    @Test
    void theLogoutTokenHasTheBackChannelLogoutShapeAndNamesWhatItRevokes() {
        var token = NOTICE.logoutToken("http://kc.example/realms/demo", "demo-app", 1_800_000_000L);
        assertEquals(TokenCategory.LOGOUT, token.getCategory(), "encoded with JOSE typ logout+jwt");
        JsonNode claims = new ObjectMapper().valueToTree(token);
        assertEquals("http://kc.example/realms/demo", claims.get("iss").asText());
        assertEquals(
                "demo-app",
                claims.get("aud").isArray()
                        ? claims.get("aud").get(0).asText()
                        : claims.get("aud").asText());
        assertEquals("sub-1", claims.get("sub").asText());
        assertEquals(1_800_000_000L, claims.get("iat").asLong(), "signed now, not at the change");
        assertEquals(1_800_000_120L, claims.get("exp").asLong());
        assertFalse(claims.get("jti").asText().isEmpty());
        assertTrue(claims.get("events")
                .get("http://schemas.openid.net/event/backchannel-logout")
                .isObject());
        assertNull(claims.get("nonce"));
        JsonNode st = claims.get("service_token");
        assertEquals(
                Map.of(
                        "id",
                        "token-1",
                        "client_id",
                        "ci-bot-abc",
                        "reason",
                        "grace-period-ended",
                        "revoke",
                        "secret",
                        "secrets",
                        List.of("AbCdEfGhIj-_"),
                        "cutoff",
                        1_700_000_000L),
                new ObjectMapper().convertValue(st, Map.class));
    }

    @Test
    void retriesBackOffExponentiallyUpToAMinute() {
        assertEquals(1_000, PushSender.backoff(1));
        assertEquals(2_000, PushSender.backoff(2));
        assertEquals(32_000, PushSender.backoff(6));
        assertEquals(60_000, PushSender.backoff(7));
        assertEquals(60_000, PushSender.backoff(1_000));
    }
}

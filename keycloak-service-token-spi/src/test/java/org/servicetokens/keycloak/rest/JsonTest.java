package org.servicetokens.keycloak.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void readsRequestsAndTreatsAnEmptyBodyAsAnEmptyObject() {
        Representations.CreateRequest request =
                Json.read("{\"name\":\"bot\",\"applications\":[\"a\",\"b\"]}", Representations.CreateRequest.class);
        assertEquals("bot", request.name());
        assertEquals(List.of("a", "b"), request.applications());
        assertNull(Json.read("", Representations.RotateRequest.class).gracePeriod());
        assertNull(Json.read("null", Representations.RotateRequest.class).gracePeriod());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"name\":1}",
                "{\"name\":true}",
                "{\"name\":1.5}",
                "{\"name\":[]}",
                "{\"name\":{}}",
                "{\"name\":\"a\",\"name\":\"b\"}",
                "{\"x\":1}",
                "{",
                "}",
                "{} {}",
                "[1]",
                "\"str\"",
                "{\"applications\":[1]}",
                "{\"name\":\"\\uD800\"}x"
            })
    void refusesAmbiguousOrMalformedJson(String body) {
        ApiError error = assertThrows(ApiError.class, () -> Json.read(body, Representations.CreateRequest.class));
        assertEquals(400, error.getResponse().getStatus());
        String entity = (String) error.getResponse().getEntity();
        assertTrue(entity.contains("\"error\":\"invalid_request\""), entity);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"inactivityDays\":1.5}",
                "{\"inactivityDays\":\"5\"}",
                "{\"inactivityDays\":99999999999}",
                "{\"inactivityDays\":1e400}",
                "{\"expiryWarningDays\":[7.9]}",
                "{\"defaultDuration\":30}",
                "{\"maxDuration\":true}"
            })
    void numbersAreNeitherTruncatedNorCoerced(String body) {
        ApiError error = assertThrows(ApiError.class, () -> Json.read(body, Representations.SettingsRequest.class));
        assertEquals(400, error.getResponse().getStatus());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"expiryWarningDays\":[99999999999]}",
                "{\"expiryWarningDays\":[7, 1e400]}",
                "{\"inactivityDays\":99999999999}",
                "{\"expiryWarningDays\":[7.5]}"
            })
    void rangeErrorsNameTheFieldEvenInsideAList(String body) {
        ApiError error = assertThrows(ApiError.class, () -> Json.read(body, Representations.SettingsRequest.class));
        String entity = (String) error.getResponse().getEntity();
        String field = body.substring(2, body.indexOf('"', 2));
        assertTrue(entity.contains("field '" + field), entity);
    }

    @Test
    void booleansAreNotCoerced() {
        assertThrows(ApiError.class, () -> Json.read("{\"enabled\":1}", Representations.UpdateRequest.class));
        assertThrows(ApiError.class, () -> Json.read("{\"enabled\":\"false\"}", Representations.UpdateRequest.class));
        assertThrows(
                ApiError.class,
                () -> Json.read("{\"expiresAt\":1700000000}", Representations.PreviousSecretRequest.class));
    }

    @Test
    void refusesOversizedBodies() {
        String huge = "{\"description\":\"" + "x".repeat(Json.MAX_BODY_CHARS) + "\"}";
        assertEquals(
                400,
                assertThrows(ApiError.class, () -> Json.read(huge, Representations.CreateRequest.class))
                        .getResponse()
                        .getStatus());
    }

    @Test
    void writesNullsSoClientsSeeNeverExpiring() {
        assertEquals(
                "{\"id\":\"i\",\"clientId\":\"c\",\"clientSecret\":\"s\",\"expiresAt\":null}",
                Json.write(new Representations.CreatedToken("i", "c", "s", null)));
    }

    @Test
    void secretBearingRecordsDoNotPrintTheSecret() {
        String text = new Representations.CreatedToken("i", "c", "kcst_secretvalue", null).toString()
                + new Representations.RotatedSecret("c", "kcst_secretvalue", null);
        assertTrue(!text.contains("secretvalue"), text);
    }
}

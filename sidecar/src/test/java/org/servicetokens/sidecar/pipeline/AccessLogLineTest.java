package org.servicetokens.sidecar.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.identity.Identity;

/** The access-log line: well-formed JSON whatever a client or a token's claims put in its fields. */
class AccessLogLineTest {

    private static final String HOSTILE = "a\"b\\c\nd\re\tf\u0000g\u001fh\u2028i\ud800j</script>{\"x\":1}";

    @Test
    void hostileValuesStayInsideTheirFields() {
        Identity id = new Identity(
                Identity.Type.SERVICE,
                HOSTILE,
                "user",
                null,
                "client\",\"status\":200",
                "tid",
                "name\n{\"forged\":true}",
                List.of(),
                Map.of(),
                List.of(),
                0,
                0,
                "the-token-itself");
        String line = AccessLog.line(1_767_225_600_042L, "M\"E\\T", HOSTILE, 401, "deny", "policy", id, 0.25);
        assertFalse(line.contains("\n") || line.contains("\r"), "one line: " + line);
        JsonObject j = new JsonObject(line);
        assertEquals(
                List.of(
                        "time",
                        "method",
                        "path",
                        "status",
                        "decision",
                        "reason",
                        "subject",
                        "type",
                        "client_id",
                        "token_name",
                        "latency_ms"),
                List.copyOf(j.fieldNames()));
        assertEquals("M\"E\\T", j.getString("method"));
        // A lone surrogate cannot survive UTF-8; everything else round-trips exactly.
        assertEquals(HOSTILE.replace("\ud800", "?"), j.getString("path").replace("\ud800", "?"));
        assertEquals(HOSTILE.replace("\ud800", "?"), j.getString("subject").replace("\ud800", "?"));
        assertEquals("client\",\"status\":200", j.getString("client_id"));
        assertEquals("name\n{\"forged\":true}", j.getString("token_name"));
        assertEquals(401, j.getInteger("status"));
        assertEquals("service", j.getString("type"));
        assertEquals(0.25, j.getDouble("latency_ms"));
        assertFalse(line.contains("the-token-itself"), "the token is never logged");
    }

    @Test
    void absentValuesAreNullAndTimeIsIsoUtcWithMilliseconds() {
        JsonObject j = new JsonObject(AccessLog.line(1_767_225_600_007L, "GET", null, 200, "public", "none", null, 1));
        assertEquals("2026-01-01T00:00:00.007Z", j.getString("time"));
        assertEquals(Instant.ofEpochMilli(1_767_225_600_007L), Instant.parse(j.getString("time")));
        for (String field : List.of("path", "subject", "type", "client_id", "token_name")) {
            assertNull(j.getValue(field), field);
            assertEquals(true, j.containsKey(field), field);
        }
        // The per-second prefix is recomputed when the second changes, in either direction.
        assertEquals(
                "2026-01-01T00:00:01.999Z",
                new JsonObject(AccessLog.line(1_767_225_601_999L, "GET", "/", 200, "allow", "bearer", null, 0))
                        .getString("time"));
        assertEquals(
                "2025-12-31T23:59:59.000Z",
                new JsonObject(AccessLog.line(1_767_225_599_000L, "GET", "/", 200, "allow", "bearer", null, 0))
                        .getString("time"));
    }
}

package org.servicetokens.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sessions.max-per-subject}: 1 to 1000, default 20. */
class SessionLimitsConfigTest {

    private static List<String> problems(int maxPerSubject) {
        SidecarConfig c = new SidecarConfig();
        c.sessions.maxPerSubject = maxPerSubject;
        List<String> problems = new ArrayList<>();
        LoginValidation.validate(c, problems);
        return problems.stream()
                .filter(p -> p.startsWith("sessions.max-per-subject:"))
                .toList();
    }

    @Test
    void theCapIsBetweenOneAndAThousand() {
        assertEquals(20, new SidecarConfig().sessions.maxPerSubject);
        assertTrue(problems(1).isEmpty());
        assertTrue(problems(1000).isEmpty());
        assertEquals(List.of("sessions.max-per-subject: must be between 1 and 1000"), problems(0));
        assertEquals(1, problems(-5).size());
        assertEquals(1, problems(1001).size());
    }
}

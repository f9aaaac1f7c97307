package org.servicetokens.sidecar.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedValuesTest {

    @Test
    void equalValuesShareOneInstance() {
        SharedValues shared = new SharedValues(10);
        List<String> first = List.copyOf(List.of(new String("admin"), new String("user")));
        List<String> second = List.copyOf(List.of(new String("admin"), new String("user")));
        assertSame(first, shared.shared(first));
        assertSame(first, shared.shared(second));
        Map<String, List<String>> roles = Map.copyOf(Map.of("account", List.of("view-profile")));
        assertSame(roles, shared.shared(roles));
        assertSame(roles, shared.shared(Map.copyOf(Map.of("account", List.of("view-profile")))));
        assertNull(shared.shared(null));
    }

    @Test
    void pastTheBoundValuesAreReturnedAsGiven() {
        SharedValues shared = new SharedValues(2);
        shared.shared("a");
        shared.shared("b");
        String c = new String("c");
        assertSame(c, shared.shared(c));
        String another = new String("c");
        assertNotSame(c, shared.shared(another), "not remembered past the bound");
        assertSame(another, shared.shared(another));
        assertEquals("a", shared.shared(new String("a")));
    }
}

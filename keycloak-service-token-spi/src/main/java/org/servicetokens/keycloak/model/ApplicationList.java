package org.servicetokens.keycloak.model;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import org.keycloak.util.JsonSerialization;

/** Applications are kept as a JSON array in one attribute: client IDs may contain any character. */
final class ApplicationList {

    private static final TypeReference<List<String>> LIST = new TypeReference<>() {
    };

    private ApplicationList() {
    }

    static List<String> parse(String stored) {
        if (stored == null || stored.isBlank()) {
            return List.of();
        }
        try {
            return List.copyOf(JsonSerialization.readValue(stored, LIST));
        } catch (IOException | NullPointerException corrupt) {
            return List.of();
        }
    }

    static String format(List<String> applications) {
        try {
            return JsonSerialization.writeValueAsString(applications == null ? List.of() : applications);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}

package org.servicetokens.keycloak.model;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.keycloak.util.JsonSerialization;

/** Applications are kept as a JSON array of strings in one attribute (client ids may contain any character). */
final class ApplicationList {

    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

    private ApplicationList() {}

    /** Empty list for an absent attribute; empty Optional when the stored text is not a JSON array of strings. */
    static Optional<List<String>> parse(String stored) {
        if (stored == null || stored.isBlank()) {
            return Optional.of(List.of());
        }
        try {
            List<String> values = JsonSerialization.readValue(stored, LIST);
            if (values == null || values.stream().anyMatch(v -> v == null || v.isBlank())) {
                return Optional.empty();
            }
            return Optional.of(List.copyOf(values));
        } catch (IOException | RuntimeException corrupt) {
            return Optional.empty();
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

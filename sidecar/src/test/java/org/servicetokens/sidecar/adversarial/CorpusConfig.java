package org.servicetokens.sidecar.adversarial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.servicetokens.sidecar.config.Durations;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.support.Harness;

/**
 * Applies {@code adversarial/policy.yaml} to a harness configuration: dotted keys ({@code listen.public-url})
 * set field by field, and the shared policy rules. A key or rule property this sidecar does not know is not
 * silently dropped: it is recorded in {@link #problems}, which one corpus test reports, and the rest still runs.
 */
final class CorpusConfig {

    final List<String> problems = new ArrayList<>();

    /** Sets each {@code section.key} of {@code keys} on {@code config}. */
    void apply(JsonNode keys, SidecarConfig config) {
        keys.fields().forEachRemaining(e -> {
            String[] path = e.getKey().split("\\.");
            try {
                Object target = config;
                for (int i = 0; i < path.length - 1; i++) {
                    target = field(target.getClass(), path[i]).get(target);
                }
                Field f = field(target.getClass(), path[path.length - 1]);
                f.set(target, convert(f, e.getValue()));
            } catch (NoSuchFieldException | IllegalAccessException | RuntimeException ex) {
                problems.add(e.getKey() + ": not a configuration key of this sidecar ("
                        + ex.getClass().getSimpleName() + ")");
            }
        });
    }

    /** The shared rules; a rule property the config binding does not know is reported. */
    List<SidecarConfig.Rule> rules(JsonNode rules) {
        Set<String> known = Arrays.stream(SidecarConfig.Rule.class.getFields())
                .map(Field::getName)
                .collect(Collectors.toSet());
        for (JsonNode rule : rules) {
            rule.fieldNames().forEachRemaining(name -> {
                if (!known.contains(camel(name))) {
                    problems.add("policy rule " + rule.path("path").asText() + ": property '" + name
                            + "' unknown to this sidecar");
                }
            });
        }
        try {
            return Harness.rules(new YAMLMapper().writeValueAsString(rules));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field field(Class<?> type, String kebab) throws NoSuchFieldException {
        return type.getField(camel(kebab));
    }

    private static String camel(String kebab) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }

    private static Object convert(Field f, JsonNode v) {
        Class<?> t = f.getType();
        if (t == String.class) {
            return v.asText();
        }
        if (t == boolean.class || t == Boolean.class) {
            return v.asBoolean();
        }
        if (t == int.class || t == Integer.class) {
            return v.asInt();
        }
        if (t == long.class || t == Long.class) {
            return v.asLong();
        }
        if (t == Duration.class) {
            return Durations.parse(v.asText());
        }
        if (List.class.isAssignableFrom(t)
                && f.getGenericType() instanceof ParameterizedType p
                && p.getActualTypeArguments()[0] == String.class) {
            List<String> out = new ArrayList<>();
            v.forEach(n -> out.add(n.asText()));
            return out;
        }
        throw new IllegalArgumentException("unsupported type " + t + " for " + Map.entry(f.getName(), v));
    }
}

package org.servicetokens.sidecar.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * YAML file + {@code SIDECAR_…} environment → {@link SidecarConfig}. The key list is derived from the
 * defaults themselves, so every key is overridable by env without a hand-kept table: {@code upstream.url}
 * → {@code SIDECAR_UPSTREAM_URL}, {@code app.client-id} → {@code SIDECAR_APP_CLIENT_ID}. Problems are
 * collected and reported together (one line per bad key) instead of failing on the first.
 */
public final class ConfigLoader {

    public static final String ENV_PREFIX = "SIDECAR_";
    private static final ObjectMapper MAPPER = newMapper();

    private ConfigLoader() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static SidecarConfig load(Path file, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        ObjectNode defaults = defaultsTree();
        ObjectNode merged = defaults.deepCopy();
        if (file != null) {
            JsonNode fromFile = readFile(file, problems);
            if (fromFile != null) {
                overlay(defaults, merged, fromFile, "", problems);
            }
        }
        applyEnv(defaults, merged, env, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        SidecarConfig config;
        try {
            config = MAPPER.treeToValue(merged, SidecarConfig.class);
        } catch (IOException e) {
            // Types were checked key by key above; this is a last resort with Jackson's own words.
            throw new ConfigException(List.of(message(e)));
        }
        ConfigValidator.validate(config, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    /** Every key (dotted path) with its default, in declaration order: feeds --help and the docs. */
    public static Map<String, String> keysWithDefaults() {
        Map<String, String> out = new LinkedHashMap<>();
        collectLeaves(defaultsTree(), "", out);
        return out;
    }

    public static String envName(String keyPath) {
        return ENV_PREFIX + keyPath.toUpperCase().replace('.', '_').replace('-', '_');
    }

    static ObjectNode defaultsTree() {
        return MAPPER.valueToTree(new SidecarConfig());
    }

    private static JsonNode readFile(Path file, List<String> problems) {
        if (!Files.isReadable(file)) {
            problems.add("--config: cannot read " + file);
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                problems.add(file + ": the top level must be a mapping of keys");
                return null;
            }
            return node;
        } catch (IOException e) {
            problems.add(file + ": not valid YAML: " + message(e));
            return null;
        }
    }

    /** Copies {@code source} onto {@code target}, checking each key exists and each scalar has the right kind. */
    private static void overlay(
            JsonNode defaults, ObjectNode target, JsonNode source, String prefix, List<String> problems) {
        Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode def = defaults.get(field.getKey());
            if (def == null) {
                problems.add(key + ": unknown key");
                continue;
            }
            JsonNode value = field.getValue();
            if (def.isObject()) {
                if (!value.isObject()) {
                    problems.add(key + ": must be a mapping");
                    continue;
                }
                overlay(def, (ObjectNode) target.get(field.getKey()), value, key + ".", problems);
                continue;
            }
            JsonNode checked = checkKind(key, def, value, problems);
            if (checked != null) {
                target.set(field.getKey(), checked);
            }
        }
    }

    private static void applyEnv(
            ObjectNode defaults, ObjectNode merged, Map<String, String> env, List<String> problems) {
        Map<String, String> leaves = new LinkedHashMap<>();
        collectLeaves(defaults, "", leaves);
        for (String key : leaves.keySet()) {
            String name = envName(key);
            String raw = env.get(name);
            if (raw == null) {
                continue;
            }
            JsonNode def = at(defaults, key);
            JsonNode value;
            if (def.isArray()) {
                value = parseList(name, raw, problems);
                if (value == null) {
                    continue;
                }
            } else {
                value = JsonNodeFactory.instance.textNode(raw);
            }
            JsonNode checked = checkKind(key + " (from " + name + ")", def, value, problems);
            if (checked != null) {
                String parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : "";
                String leaf = key.substring(key.lastIndexOf('.') + 1);
                ((ObjectNode) (parent.isEmpty() ? merged : at(merged, parent))).set(leaf, checked);
            }
        }
    }

    /** Lists from env: YAML/JSON flow syntax ({@code [a, b]} or a list of rule objects) or a comma list. */
    private static JsonNode parseList(String name, String raw, List<String> problems) {
        String t = raw.trim();
        if (t.startsWith("[")) {
            try {
                return MAPPER.readTree(t);
            } catch (IOException e) {
                problems.add(name + ": not a valid list: " + message(e));
                return null;
            }
        }
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (String part : t.split(",")) {
            if (!part.isBlank()) {
                arr.add(part.trim());
            }
        }
        return arr;
    }

    /** Returns the value to store (scalars normalised to the default's kind), or null after recording a problem. */
    private static JsonNode checkKind(String key, JsonNode def, JsonNode value, List<String> problems) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (def.isArray()) {
            if (!value.isArray()) {
                problems.add(key + ": must be a list");
                return null;
            }
            return value;
        }
        if (def.isBoolean()) {
            if (value.isBoolean()) {
                return value;
            }
            String t = value.isValueNode() ? value.asText().trim().toLowerCase() : "";
            if (t.equals("true") || t.equals("false")) {
                return f.booleanNode(Boolean.parseBoolean(t));
            }
            problems.add(key + ": must be true or false, got '" + shown(value) + "'");
            return null;
        }
        if (def.isNumber()) {
            if (value.isIntegralNumber()) {
                return value;
            }
            try {
                return f.numberNode(
                        Integer.parseInt(value.isValueNode() ? value.asText().trim() : "x"));
            } catch (NumberFormatException e) {
                problems.add(key + ": must be a whole number, got '" + shown(value) + "'");
                return null;
            }
        }
        if (!value.isValueNode() || value.isNull()) {
            problems.add(key + ": must be a single value");
            return null;
        }
        if (isDurationDefault(def)) {
            try {
                Durations.parse(value.asText());
            } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
                return null;
            }
        }
        return f.textNode(value.asText());
    }

    private static boolean isDurationDefault(JsonNode def) {
        if (!def.isTextual() || def.asText().isEmpty()) {
            return false;
        }
        try {
            Durations.parse(def.asText());
            return Character.isDigit(def.asText().charAt(0)) || def.asText().startsWith("PT");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Values are shown in messages only for non-secret keys' kinds (booleans/numbers), never long text. */
    private static String shown(JsonNode value) {
        String t = value.isValueNode()
                ? value.asText()
                : value.getNodeType().name().toLowerCase();
        return t.length() > 40 ? t.substring(0, 40) + "…" : t;
    }

    private static JsonNode at(JsonNode root, String dotted) {
        JsonNode n = root;
        for (String part : dotted.split("\\.")) {
            n = n.get(part);
        }
        return n;
    }

    private static void collectLeaves(JsonNode node, String prefix, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject()) {
                collectLeaves(e.getValue(), key + ".", out);
            } else {
                out.put(
                        key,
                        e.getValue().isArray()
                                ? e.getValue().toString()
                                : e.getValue().asText());
            }
        }
    }

    private static String message(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static ObjectMapper newMapper() {
        SimpleModule durations = new SimpleModule("durations");
        durations.addSerializer(Duration.class, new StdScalarSerializer<>(Duration.class) {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(Durations.format(value));
            }
        });
        durations.addDeserializer(Duration.class, new StdScalarDeserializer<>(Duration.class) {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Durations.parse(p.getValueAsString());
            }
        });
        return YAMLMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addModule(durations)
                .build();
    }
}

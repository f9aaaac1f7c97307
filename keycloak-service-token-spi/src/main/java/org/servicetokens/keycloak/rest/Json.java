package org.servicetokens.keycloak.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * Strict JSON for the API: unknown fields, duplicate keys, trailing content and type coercion ("name": 5) are
 * refused with a message naming the field, instead of being guessed at. Output keeps nulls so clients see
 * {@code "expiresAt": null} for a token that never expires.
 */
final class Json {

    static final int MAX_BODY_CHARS = 64 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // 1.5 for a whole number is refused, not truncated to 1.
            .withCoercionConfig(
                    LogicalType.Integer,
                    config -> config.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(
                    LogicalType.Boolean,
                    config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .withCoercionConfig(
                    LogicalType.Textual,
                    config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private Json() {}

    /** An empty body reads as {@code {}}: every field of our requests is optional or checked afterwards. */
    static <T> T read(String body, Class<T> type) {
        if (body != null && body.length() > MAX_BODY_CHARS) {
            throw ApiError.badRequest("Request body is larger than " + MAX_BODY_CHARS + " characters");
        }
        String json = body == null || body.isBlank() ? "{}" : body;
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                return MAPPER.readValue("{}", type);
            }
            return value;
        } catch (UnrecognizedPropertyException unknown) {
            throw ApiError.badRequest("Unknown field '" + unknown.getPropertyName() + "'");
        } catch (JsonProcessingException malformed) {
            throw ApiError.badRequest("Malformed JSON: " + describe(malformed));
        }
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    // Jackson's own message quotes the input and the Java types; a field path and the parser's one-line reason
    // are what an API user can act on.
    private static String describe(JsonProcessingException e) {
        String reason = e.getOriginalMessage();
        if (reason != null) {
            int cut = reason.indexOf('\n');
            reason = cut > 0 ? reason.substring(0, cut) : reason;
            if (reason.length() > 200) {
                reason = reason.substring(0, 200);
            }
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamReadException read && read.getProcessor() != null) {
            String field = field(read.getProcessor().getParsingContext());
            if (field != null) {
                return "field '" + field + "': " + (reason == null ? "cannot be parsed" : reason);
            }
        }
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping
                && !mapping.getPath().isEmpty()) {
            StringBuilder field = new StringBuilder();
            for (var reference : mapping.getPath()) {
                if (reference.getFieldName() != null) {
                    field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
                } else if (reference.getIndex() >= 0) {
                    field.append('[').append(reference.getIndex()).append(']');
                }
            }
            if (!field.isEmpty() && field.charAt(0) != '[') {
                return "field '" + field + "' has the wrong type or value";
            }
        }
        return reason == null
                ? "cannot be parsed"
                : reason.replaceAll("\\(for Object starting at.*", "").trim();
    }

    /**
     * The field the parser was in when it failed, named as the API user wrote it: {@code expiryWarningDays[0]}
     * for an element of a list (the innermost context of a list element has no name of its own); null at the
     * top level.
     */
    static String field(com.fasterxml.jackson.core.JsonStreamContext context) {
        StringBuilder suffix = new StringBuilder();
        for (var at = context; at != null; at = at.getParent()) {
            if (at.inArray()) {
                suffix.insert(0, "[" + Math.max(at.getCurrentIndex(), 0) + "]");
            } else if (at.inObject() && at.getCurrentName() != null) {
                return at.getCurrentName() + suffix;
            }
        }
        return null;
    }
}

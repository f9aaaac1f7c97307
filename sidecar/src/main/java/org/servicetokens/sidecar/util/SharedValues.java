package org.servicetokens.sidecar.util;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance per distinct value, for the claims that repeat across many tokens: role, group and client names, as
 * lists and maps, and their encoded header values. 100 000 cached identities then share a few dozen role lists
 * instead of holding 100 000 copies (~700 bytes each). Bounded: past {@value #MAX_VALUES} distinct values, a new value
 * is returned as given (not shared, still correct). Only values a realm administrator chose belong here, taken from
 * verified tokens; never a subject, user name, e-mail address or anything else a user or a client picks.
 */
public final class SharedValues {

    static final int MAX_VALUES = 4096;

    private static final SharedValues PROCESS = new SharedValues(MAX_VALUES);

    private final ConcurrentHashMap<Object, Object> values = new ConcurrentHashMap<>();
    private final int maxValues;

    SharedValues(int maxValues) {
        this.maxValues = maxValues;
    }

    /**
     * The shared instance equal to {@code value} ({@link Object#equals}), or {@code value} itself (also when null).
     * {@code value} must be immutable (a String, {@code List.copyOf}, {@code Map.copyOf} of immutable values): it may
     * be handed to every later caller.
     */
    public static <T> T of(T value) {
        return PROCESS.shared(value);
    }

    @SuppressWarnings("unchecked")
    <T> T shared(T value) {
        if (value == null) {
            return null;
        }
        Object known = values.get(value);
        if (known != null && known.getClass() == value.getClass()) {
            return (T) known;
        }
        if (known != null || values.size() >= maxValues) {
            return value;
        }
        Object raced = values.putIfAbsent(value, value);
        return raced != null && raced.getClass() == value.getClass() ? (T) raced : value;
    }
}

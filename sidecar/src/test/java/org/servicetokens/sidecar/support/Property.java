package org.servicetokens.sidecar.support;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Property-based checks on plain JUnit: a property is tried on {@link #tries} inputs drawn from a seeded
 * generator, and fails with the input and the seed that reproduce it. Each run draws a fresh seed (so CI keeps
 * exploring) unless {@code -Dproperty.seed=N} pins one; {@code -Dproperty.tries=N} changes the count. Every input
 * that ever broke a property is then kept in its test as an explicit regression example, run on every build.
 *
 * <p>Why not jqwik or Jazzer: jqwik 1.x runs on JUnit Platform 1 (1.10.1 is built on Platform 1.14, and its
 * authors ask that it not be used by AI coding agents); Jazzer's JUnit integration replays only stored inputs
 * unless fuzzing is switched on per run, one fuzz test per JVM. This module runs JUnit 6 (Keycloak's test
 * framework needs it), and a seeded generator bounded by a try count runs everywhere in a known time.
 */
public final class Property {

    private Property() {}

    /** A check that may throw anything; a throw is a counterexample. */
    @FunctionalInterface
    public interface Check<T> {
        void accept(T input) throws Exception;
    }

    public static int tries(int defaultTries) {
        return Integer.getInteger("property.tries", defaultTries);
    }

    public static long seed() {
        Long fixed = Long.getLong("property.seed");
        return fixed != null ? fixed : new SecureRandom().nextLong();
    }

    /**
     * Runs {@code check} on the {@code examples} (inputs that once failed), then on {@code tries} generated inputs.
     *
     * @param show how an input is printed in a failure (escape what a terminal would swallow)
     */
    public static <T> void forAll(
            String name,
            int tries,
            Function<Random, T> generator,
            Function<T, String> show,
            List<T> examples,
            Check<T> check) {
        for (T example : examples) {
            run(name, example, show, check, "regression example");
        }
        long seed = seed();
        Random random = new Random(seed);
        for (int i = 0; i < tries; i++) {
            T input = generator.apply(random);
            run(
                    name,
                    input,
                    show,
                    check,
                    "try " + (i + 1) + " of " + tries + ", seed " + seed + " (rerun: -Dproperty.seed=" + seed + ")");
        }
    }

    private static <T> void run(String name, T input, Function<T, String> show, Check<T> check, String where) {
        try {
            check.accept(input);
        } catch (Throwable t) {
            AssertionError e =
                    new AssertionError(name + " fails for " + show.apply(input) + " [" + where + "]: " + t, t);
            throw e;
        }
    }

    /** Java-escaped, so control characters and non-ASCII show in a failure message and can be pasted as a literal. */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        return sb.append('"').toString();
    }

    /** One of {@code options}, uniformly. */
    @SafeVarargs
    public static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}

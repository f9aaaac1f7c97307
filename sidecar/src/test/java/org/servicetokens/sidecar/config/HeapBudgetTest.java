package org.servicetokens.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The start-up heap check: caps × measured bytes per entry + base, against the maximum heap. */
class HeapBudgetTest {

    private static final long MIB = 1L << 20;

    /** The image's heap at the 384 MiB limit deploy/kubernetes sets: MaxRAMPercentage=50 of it, as the JVM reports. */
    private static final long IMAGE_HEAP_384M = 194_641_920L;

    @ParameterizedTest(name = "tokens={0} sessions={1} exchange={2} heap={3} MiB -> warn={4}")
    @CsvSource({
        // defaults in the image's heap: ~133 MiB worst case, ~71 %: fits with room (no warning)
        "100000, 10000, 10000, 185.625, false",
        // the old defaults (100 000 sessions, 100 000 grants): ~553 MiB, three times the heap
        "100000, 100000, 100000, 185.625, true",
        // 76 % and 81 % of a 100 MiB heap (base 24 MiB + 650 B per token)
        "84000, 0, 0, 100, false",
        "92000, 0, 0, 100, true",
        // caches off: base only
        "0, 0, 0, 185.625, false",
        // the defaults in a 128 MiB heap (a 256 MiB limit): warned
        "100000, 10000, 10000, 128, true",
        // a developer machine's heap (a quarter of 16 GiB): the old defaults fit
        "100000, 100000, 100000, 4096, false",
    })
    void warnsAbove80PercentOfTheHeap(int tokens, int sessions, int exchange, double heapMib, boolean warns) {
        SidecarConfig config = new SidecarConfig();
        config.tokens.verifiedCacheSize = tokens;
        config.sessions.maxEntries = sessions;
        config.exchange.maxEntries = exchange;
        HeapBudget budget = HeapBudget.of(config, (long) (heapMib * MIB));
        assertEquals(
                warns, budget.warning() != null, () -> budget.worstCaseBytes() / MIB + " MiB: " + budget.warning());
    }

    @ParameterizedTest
    @CsvSource({"100000, 10000, 10000"})
    void defaultsFitThreeQuartersOfTheImagesHeap(int tokens, int sessions, int exchange) {
        SidecarConfig defaults = new SidecarConfig();
        assertEquals(tokens, defaults.tokens.verifiedCacheSize);
        assertEquals(sessions, defaults.sessions.maxEntries);
        assertEquals(exchange, defaults.exchange.maxEntries);
        HeapBudget budget = HeapBudget.of(defaults, IMAGE_HEAP_384M);
        assertTrue(budget.share() < 0.75, "worst case " + budget.share());
    }

    @ParameterizedTest
    @CsvSource({"100000, 100000, 100000"})
    void theWarningNamesEachCapItsCostTheHeapAndTheRemedy(int tokens, int sessions, int exchange) {
        SidecarConfig config = new SidecarConfig();
        config.tokens.verifiedCacheSize = tokens;
        config.sessions.maxEntries = sessions;
        config.exchange.maxEntries = exchange;
        String line = HeapBudget.of(config, IMAGE_HEAP_384M).warning();
        assertNotNull(line);
        assertTrue(!line.contains("\n"), "one line");
        for (String part : new String[] {
            "tokens.verified-cache-size=100000: ~62 MiB",
            "sessions.max-entries=100000: ~248 MiB",
            "exchange.max-entries=100000: ~219 MiB",
            "186 MiB maximum heap",
            "Lower those caps or raise the memory limit"
        }) {
            assertTrue(line.contains(part), part + " not in: " + line);
        }
        assertNull(HeapBudget.of(new SidecarConfig(), IMAGE_HEAP_384M).warning());
    }
}

package org.servicetokens.sidecar.config;

import java.util.List;
import java.util.Locale;

/**
 * The heap the sidecar needs at worst: every bounded cache full at its configured cap, plus the live heap the
 * sidecar itself holds, from per-entry costs measured with {@code bench/memory.sh} ({@code bench/MemoryPerEntry.java}:
 * heap retained after {@code System.gc()} per entry, filled through the sidecar's own classes, with the image's JVM
 * options). Compared with the maximum heap ({@code Runtime.maxMemory()}), so a start-up can warn an operator whose
 * caps cannot fit before the heap runs out under load (the image exits on OutOfMemoryError).
 *
 * <p>The revocation and logout-JTI caches are left out: only Keycloak's signed notices write them, and their size
 * follows the realm's revocations, not a setting.
 */
public final class HeapBudget {

    /**
     * One verified access token ({@code tokens.verified-cache-size}): its SHA-256 key and the identity from its
     * claims. Measured 620–650 bytes with Keycloak-26-shaped user tokens.
     */
    public static final long VERIFIED_TOKEN_BYTES = 650;
    /**
     * One browser session ({@code sessions.max-entries}): the sealed, compressed record (access, refresh and ID token)
     * plus its subject-index entry. Measured 2 558–2 609 bytes (5 221 before the record was compressed and stored without
     * Base64).
     */
    public static final long SESSION_BYTES = 2_600;
    /**
     * One credential's share of {@code exchange.max-entries}, all its caches full: a cached grant with a ~1.4 KB
     * service-account token plus its known-good admission entry (measured 1 749–1 768 bytes), and a remembered refusal plus
     * an in-flight marker (measured 480–489 bytes).
     */
    public static final long EXCHANGE_BYTES = 2_300;
    /**
     * The sidecar's own live heap with empty caches: measured 15 MiB after a full GC at {@code /ready}, up to ~25 MiB
     * under load (requests in flight); the upper figure, rounded.
     */
    public static final long BASE_BYTES = 24L << 20;
    /** Above this share of the maximum heap the start-up warns. */
    public static final double WARN_SHARE = 0.80;

    /** One bounded store: its configuration key, its cap (entries) and its worst case in bytes. */
    public record Cap(String key, long entries, long bytes) {}

    private final List<Cap> caps;
    private final long maxHeapBytes;

    private HeapBudget(List<Cap> caps, long maxHeapBytes) {
        this.caps = caps;
        this.maxHeapBytes = maxHeapBytes;
    }

    /** The budget of {@code config}'s caps against a maximum heap of {@code maxHeapBytes} (bytes). */
    public static HeapBudget of(SidecarConfig config, long maxHeapBytes) {
        return new HeapBudget(
                List.of(
                        cap("tokens.verified-cache-size", config.tokens.verifiedCacheSize, VERIFIED_TOKEN_BYTES),
                        cap("sessions.max-entries", config.sessions.maxEntries, SESSION_BYTES),
                        cap("exchange.max-entries", config.exchange.maxEntries, EXCHANGE_BYTES)),
                maxHeapBytes);
    }

    private static Cap cap(String key, long entries, long bytesPerEntry) {
        return new Cap(key, entries, Math.max(0, entries) * bytesPerEntry);
    }

    public List<Cap> caps() {
        return caps;
    }

    /** Bytes of heap with every cache full plus {@link #BASE_BYTES}. */
    public long worstCaseBytes() {
        return BASE_BYTES + caps.stream().mapToLong(Cap::bytes).sum();
    }

    /** The worst case as a share of the maximum heap (1.0 = all of it). */
    public double share() {
        return maxHeapBytes <= 0 ? Double.POSITIVE_INFINITY : (double) worstCaseBytes() / maxHeapBytes;
    }

    /**
     * One line for the start-up log when the worst case is above {@link #WARN_SHARE} of the heap, naming each cap with
     * its worst case and what to change; null when it fits.
     */
    public String warning() {
        if (share() <= WARN_SHARE) {
            return null;
        }
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "cache caps may not fit the heap: with every cache full the sidecar needs ~%d MiB, %d%% of the"
                        + " %d MiB maximum heap (",
                mib(worstCaseBytes()),
                Math.round(share() * 100),
                mib(maxHeapBytes)));
        for (Cap c : caps) {
            line.append(String.format(Locale.ROOT, "%s=%d: ~%d MiB; ", c.key(), c.entries(), mib(c.bytes())));
        }
        line.append(String.format(Locale.ROOT, "base ~%d MiB). ", mib(BASE_BYTES)));
        line.append("Lower those caps or raise the memory limit (the image's heap is half the container's limit);"
                + " a full heap ends the process.");
        return line.toString();
    }

    private static long mib(long bytes) {
        return (bytes + (1L << 19)) >> 20;
    }
}

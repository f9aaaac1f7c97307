package org.servicetokens.keycloak.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.servicetokens.common.NetworkRange;

/**
 * The networks a token may be used from: a list of {@link NetworkRange}s, or none (no restriction). Kept in the
 * client attribute {@link ServiceTokenAttributes#NETWORKS} as a JSON array of normal-form ranges, e.g.
 * {@code ["10.0.0.0/8","2001:db8::/32"]}; carried in the token's JWTs as {@code service_token.networks}.
 *
 * @param ranges  in the order given, without duplicates; empty when the token is not restricted
 * @param nothing true only for {@link #NOTHING}: what an unreadable stored list reads as (no address allowed)
 */
public record AllowedNetworks(List<NetworkRange> ranges, boolean nothing) {

    /** At most this many ranges per token: enough for real allow-lists, bounded for every token request's check. */
    public static final int MAX_RANGES = 50;

    public static final AllowedNetworks ANY = new AllowedNetworks(List.of(), false);
    /** Allows no address: an unreadable stored list, so a hand edit or a bad import never widens a token's reach. */
    public static final AllowedNetworks NOTHING = new AllowedNetworks(List.of(), true);

    public AllowedNetworks {
        ranges = List.copyOf(ranges);
    }

    /**
     * Admin input: each entry {@link NetworkRange#parse parsed strictly}, duplicates (after normalising) dropped.
     *
     * @throws IllegalArgumentException naming the entry by its index ({@code networks[2]: ...}) and the rule
     */
    public static AllowedNetworks parse(List<String> texts) {
        if (texts == null || texts.isEmpty()) {
            return ANY;
        }
        if (texts.size() > MAX_RANGES) {
            throw new IllegalArgumentException("'networks' lists at most " + MAX_RANGES + " CIDR ranges");
        }
        LinkedHashSet<NetworkRange> ranges = new LinkedHashSet<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                ranges.add(NetworkRange.parse(texts.get(i)));
            } catch (IllegalArgumentException malformed) {
                throw new IllegalArgumentException("'networks[" + i + "]': " + malformed.getMessage());
            }
        }
        return new AllowedNetworks(new ArrayList<>(ranges), false);
    }

    /** The stored attribute read back: ANY when absent; empty when it is not a JSON array of valid ranges. */
    public static Optional<AllowedNetworks> readStored(String stored) {
        if (stored == null) {
            return Optional.of(ANY);
        }
        Optional<List<String>> texts = ApplicationList.parse(stored);
        if (texts.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(texts.get()));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** The stored form; null when the token is not restricted (the attribute is removed). */
    public String format() {
        if (nothing) {
            throw new IllegalStateException("NOTHING is what an unreadable list reads as, never stored");
        }
        return ranges.isEmpty() ? null : ApplicationList.format(texts());
    }

    /** The ranges in normal form. */
    public List<String> texts() {
        return ranges.stream().map(NetworkRange::toString).toList();
    }

    public boolean restricted() {
        return nothing || !ranges.isEmpty();
    }

    /**
     * Whether a request from {@code clientAddress} (as Keycloak reports it) may use the token: always when not
     * restricted; otherwise only when the address parses and lies in one of the ranges (fail closed).
     */
    public boolean allows(String clientAddress) {
        if (nothing) {
            return false;
        }
        if (ranges.isEmpty()) {
            return true;
        }
        byte[] address = NetworkRange.parseAddress(clientAddress);
        return address != null && ranges.stream().anyMatch(range -> range.contains(address));
    }
}

package org.servicetokens.keycloak.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.keycloak.util.JsonSerialization;

/**
 * The use of one secret of a token (the current one, or the previous one during a rotation grace period): when it
 * last authenticated a token request, from which client address (as Keycloak resolved it: the socket's peer, or
 * the forwarded address when Keycloak is told to trust proxy headers), with which {@code User-Agent}, and an
 * approximate number of token requests. Approximate because each Keycloak node counts in memory and adds its
 * count to the stored one at most once a minute per token: a node that stops abruptly loses what it had not
 * written yet.
 *
 * <p>Stored as a small JSON object in a client attribute, e.g.
 * {@code {"at":1767225600,"address":"10.1.2.3","userAgent":"deploy-bot/2.1","count":42}} ({@code at} in epoch
 * seconds), so it is exported and imported with the realm.
 *
 * @param at        the last use; never null
 * @param address   the client address of that use as Keycloak resolved it, or null when unknown
 * @param userAgent that request's {@code User-Agent}, cleaned ({@link #cleanUserAgent}), or null when none was sent
 * @param count     token requests counted so far, at least 1
 */
public record SecretUse(Instant at, String address, String userAgent, long count) {

    /** Longer user agents are cut: whatever a client sends is stored bounded. */
    public static final int MAX_USER_AGENT = 200;
    /** Longest textual IPv6 address (with an embedded IPv4) plus a zone: anything longer is not an address. */
    static final int MAX_ADDRESS = 64;
    // A bot might put anything into its User-Agent, its own secret included: never store or show one.
    private static final Pattern SECRET_SHAPED = Pattern.compile("kcst_[0-9A-Za-z]*");

    public SecretUse {
        if (at == null) {
            throw new IllegalArgumentException("at is required");
        }
        count = Math.max(1, count);
    }

    /** One token request at {@code at}, with the address and user agent cleaned. */
    public static SecretUse once(Instant at, String address, String userAgent) {
        return new SecretUse(at, cleanAddress(address), cleanUserAgent(userAgent), 1);
    }

    /**
     * Both uses together: the later one's time, address and user agent, and the sum of the counts. Either may be
     * null.
     */
    public static SecretUse merge(SecretUse a, SecretUse b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        SecretUse later = b.at.isAfter(a.at) ? b : a;
        long sum = a.count + b.count;
        return new SecretUse(later.at, later.address, later.userAgent, sum < 0 ? Long.MAX_VALUE : sum);
    }

    /** True when this use lies within {@code window} before {@code now} (or after it). */
    public boolean within(java.time.Duration window, Instant now) {
        return !at.isBefore(now.minus(window));
    }

    /** The stored form (a JSON object, see the class comment). */
    public String format() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("at", at.getEpochSecond());
        json.put("address", address);
        json.put("userAgent", userAgent);
        json.put("count", count);
        try {
            return JsonSerialization.writeValueAsString(json);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * The stored form read back; empty when absent or unreadable. An unreadable use is only information lost, never
     * a reason to refuse the token, so it reads as "not used" and the next flush overwrites it.
     */
    public static Optional<SecretUse> parse(String stored) {
        if (stored == null || stored.isBlank() || stored.length() > 1024) {
            return Optional.empty();
        }
        try {
            JsonNode json = JsonSerialization.readValue(stored, JsonNode.class);
            if (json == null
                    || !json.isObject()
                    || !json.path("at").canConvertToLong()
                    || !json.path("count").canConvertToLong()) {
                return Optional.empty();
            }
            return Optional.of(new SecretUse(
                    Instant.ofEpochSecond(json.get("at").asLong()),
                    cleanAddress(
                            json.path("address").isTextual()
                                    ? json.get("address").asText()
                                    : null),
                    cleanUserAgent(
                            json.path("userAgent").isTextual()
                                    ? json.get("userAgent").asText()
                                    : null),
                    json.get("count").asLong()));
        } catch (IOException | RuntimeException corrupt) {
            return Optional.empty();
        }
    }

    /**
     * A {@code User-Agent} as it may be stored and shown: control and format characters dropped, anything shaped
     * like a service-token secret masked, cut to {@value #MAX_USER_AGENT} characters; null when nothing is left.
     */
    public static String cleanUserAgent(String userAgent) {
        if (userAgent == null) {
            return null;
        }
        StringBuilder clean = new StringBuilder(Math.min(userAgent.length(), MAX_USER_AGENT * 2));
        userAgent.codePoints().limit(MAX_USER_AGENT * 4L).forEach(cp -> {
            int type = Character.getType(cp);
            if (type != Character.CONTROL
                    && type != Character.FORMAT
                    && type != Character.UNASSIGNED
                    && type != Character.PRIVATE_USE
                    && type != Character.SURROGATE
                    && type != Character.LINE_SEPARATOR
                    && type != Character.PARAGRAPH_SEPARATOR) {
                clean.appendCodePoint(cp);
            }
        });
        String masked = SECRET_SHAPED.matcher(clean).replaceAll("kcst_***").strip();
        if (masked.length() > MAX_USER_AGENT) {
            int end =
                    Character.isHighSurrogate(masked.charAt(MAX_USER_AGENT - 1)) ? MAX_USER_AGENT - 1 : MAX_USER_AGENT;
            masked = masked.substring(0, end);
        }
        return masked.isEmpty() ? null : masked;
    }

    /** The client address if it looks like one (hex digits, dots, colons, a zone); else null. */
    static String cleanAddress(String address) {
        if (address == null || address.isEmpty() || address.length() > MAX_ADDRESS) {
            return null;
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            boolean ok = (c >= '0' && c <= '9')
                    || (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || c == '.'
                    || c == ':'
                    || c == '%'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return null;
            }
        }
        return address;
    }
}

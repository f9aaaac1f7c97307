package org.servicetokens.sidecar.revocation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the service-token provider says about a token in the {@code service_token} claim of its back-channel logout
 * tokens (OIDC Back-Channel Logout 1.0 allows extra claims; the standard ones are checked by the handler):
 *
 * <pre>
 * service_token: {id, client_id, reason, revoke: "token" | "secret" | "none", secrets: [ids], cutoff: epoch s}
 * </pre>
 *
 * <ul>
 *   <li>{@code token}: every JWT of {@code sub} issued before {@code cutoff}, and every JWT naming one of
 *       {@code secrets} (the token's live secrets: so also those minted in the cut-off's own second);</li>
 *   <li>{@code secret}: only the JWTs naming one of {@code secrets} (at least one): a rotation or grace end, which
 *       never touches JWTs minted with the current secret;</li>
 *   <li>{@code none}: nothing is revoked; what the token's JWT would say changed (applications, enabled, expiry,
 *       name), so cached exchanges and remembered refusals of the token are dropped and done afresh.</li>
 * </ul>
 * A {@code revoke} value this sidecar does not know counts as {@code token} (fail closed). {@code cutoff} defaults to
 * the logout token's {@code iat} and never lies after it. Bounded: at most {@value #MAX_SECRETS} secret ids of at most
 * 64 URL-safe characters, a client ID of at most 255 characters; anything else malformed is refused.
 */
public record ServiceTokenNotice(Kind kind, String clientId, List<String> secrets, long cutoff) {

    public enum Kind {
        TOKEN,
        SECRET,
        NONE
    }

    public static final String CLAIM = "service_token";
    static final int MAX_SECRETS = 8;
    private static final Pattern SECRET_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** Thrown for a {@code service_token} claim that is present but malformed. */
    public static final class Malformed extends RuntimeException {
        Malformed() {
            super("malformed_service_token_claim", null, false, false);
        }
    }

    /** The notice in these logout-token claims; null when there is no {@code service_token} claim. */
    public static ServiceTokenNotice from(JsonObject claims, long iat) {
        if (!claims.containsKey(CLAIM)) {
            return null;
        }
        if (!(claims.getValue(CLAIM) instanceof JsonObject c)) {
            throw new Malformed();
        }
        Object revoke = c.getValue("revoke");
        Kind kind = "secret".equals(revoke) ? Kind.SECRET : "none".equals(revoke) ? Kind.NONE : Kind.TOKEN;
        Object clientId = c.getValue("client_id");
        if (clientId != null && !(clientId instanceof String s && !s.isEmpty() && s.length() <= 255)) {
            throw new Malformed();
        }
        List<String> secrets = new ArrayList<>();
        Object listed = c.getValue("secrets");
        if (listed != null) {
            if (!(listed instanceof JsonArray array) || array.size() > MAX_SECRETS) {
                throw new Malformed();
            }
            for (Object id : array) {
                if (!(id instanceof String s) || !SECRET_ID.matcher(s).matches()) {
                    throw new Malformed();
                }
                secrets.add(s);
            }
        }
        if (kind == Kind.SECRET && secrets.isEmpty()) {
            throw new Malformed();
        }
        long cutoff = iat;
        Object at = c.getValue("cutoff");
        if (at != null) {
            if (!(at instanceof Number n) || n.longValue() < 0) {
                throw new Malformed();
            }
            cutoff = Math.min(n.longValue(), iat);
        }
        return new ServiceTokenNotice(kind, (String) clientId, List.copyOf(secrets), cutoff);
    }
}

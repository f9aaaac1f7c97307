package org.servicetokens.sidecar.jwt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.AsciiString;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.keycloak.KeySet;
import org.servicetokens.sidecar.keycloak.OidcProvider;
import org.servicetokens.sidecar.util.Contexts;

/**
 * Verifies Keycloak tokens for one verticle (a verifier shared between event loops serialises on a per-key lock).
 * {@code JWTAuth} only checks the signature here; everything JWTAuth is lax about (a key set without keys accepts
 * unsigned tokens, tokens without {@code exp} never expire, {@code aud} is "any of") is done by hand before and
 * after it: the header is vetted first (alg allow-list, no {@code jku}/{@code x5u}/{@code x5c}/{@code jwk}/
 * {@code crit}, kid type, duplicate JSON members, the JOSE {@code typ} of the expected token type), and
 * {@code exp} is required, {@code aud} must name this app or {@code azp} must be it, {@code iss} is compared
 * exactly, time claims are integral numbers and {@code aud} a string or an array of strings.
 *
 * <p>Keycloak signs access, ID and logout tokens with the same realm key, so a token of one type must never pass
 * as another (RFC 8725 §3.11). Keycloak 26 marks them twice: the JOSE header {@code typ} ({@code JWT} or
 * {@code at+jwt} for access tokens, {@code JWT} for ID tokens, {@code logout+jwt} for logout tokens) and the
 * payload {@code typ} ({@code Bearer}, {@code ID}, {@code Logout}; {@code Refresh} tokens are HS-signed and never
 * verify here). An access token needs both marks; see {@link #verifyAccessToken}.
 *
 * <p>The JWTAuth is rebuilt whenever {@link OidcProvider} has a new key set, and swapped in one assignment;
 * it is never built from an empty set ({@link KeySet} cannot be empty).
 */
public final class JwtVerifier {

    private static final int MAX_TOKEN_LENGTH = 12 * 1024;
    private static final Set<String> FORBIDDEN_HEADERS = Set.of("jku", "x5u", "x5c", "jwk", "crit");
    private static final Set<String> ACCESS_TYPES = Set.of("jwt", "at+jwt", "application/at+jwt");
    /** OIDC Back-Channel Logout 1.0 §2.4: logout tokens are explicitly typed; Keycloak 26 sends {@code logout+jwt}. */
    public static final Set<String> LOGOUT_TYPES = Set.of("logout+jwt", "application/logout+jwt");

    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();
    private static final java.util.List<String> TIME_CLAIMS = java.util.List.of("exp", "nbf", "iat");

    private final Vertx vertx;
    private final OidcProvider provider;
    private final String issuer;
    private final String audience;
    private final long leeway;
    private final long maxRemainingSeconds;
    private final VerifiedTokens verified;

    private JWTAuth auth;
    private long authVersion = -1;

    /**
     * @param revocationRetentionSeconds {@code revocation.retention}: an access token valid for longer than this from
     *                                   now would outlive a revocation record written now, and is refused
     * @param verified                   the process-wide cache of verified tokens, shared by every verticle's verifier
     */
    public JwtVerifier(
            Vertx vertx,
            OidcProvider provider,
            String appClientId,
            long leewaySeconds,
            VerifiedTokens verified,
            long revocationRetentionSeconds) {
        this.vertx = vertx;
        this.provider = provider;
        this.issuer = provider.issuer();
        this.audience = appClientId;
        this.leeway = leewaySeconds;
        this.maxRemainingSeconds = revocationRetentionSeconds;
        this.verified = verified;
    }

    /**
     * A verified access token's identity, or a failed future with {@link AuthenticationFailure}. Besides signature, issuer,
     * audience and times: JOSE {@code typ} {@code JWT}/{@code at+jwt}, payload {@code typ} {@code Bearer} (reason
     * {@code not_an_access_token} otherwise: ID, logout and refresh tokens), no {@code events} claim, and the claims
     * {@link Claims} requires ({@code missing_subject}, {@code missing_iat}, {@code malformed_<claim>}).
     */
    public Future<Identity> verifyAccessToken(String token) {
        long now = System.currentTimeMillis() / 1000;
        // The bytes as sent, hashed for the cache key; once the token is known good they are also the forwarded
        // assertion (AsciiString wraps them without a copy). UTF-8 maps distinct strings to distinct bytes, so a
        // token differing in any character, even outside ASCII, has another key.
        byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        KeySet current = provider.keys();
        // Keyed with the key set's version: a token verified with a key that is now gone must not live on in the
        // cache. A token verified with a newer set than this one is merely stored under an older key: a miss later.
        VerifiedTokens.Key key = verified.enabled() && current != null && token.length() <= MAX_TOKEN_LENGTH
                ? VerifiedTokens.key(bytes, current.version())
                : null;
        Identity cached = key == null ? null : verified.get(key, now, leeway);
        if (cached != null) {
            return Future.succeededFuture(cached.forToken(new AsciiString(bytes, false)));
        }
        return verifySignature(token, ACCESS_TYPES).map(claims -> {
            // Keycloak signs ID, logout and access tokens with the same key; its payload "typ" tells them apart.
            // An ID token for this app would otherwise pass (aud = app), so only "Bearer" is accepted: Keycloak writes
            // it into every access token ("bearer" when a client asks for lower-case token types).
            if (!(claims.getValue("typ") instanceof String t && t.equalsIgnoreCase("Bearer"))) {
                throw AuthenticationFailure.rejected("not_an_access_token");
            }
            if (claims.containsKey("events")) {
                // A back-channel logout token is signed by the same key: never let it pass as an access token.
                throw AuthenticationFailure.rejected("not_an_access_token");
            }
            long at = System.currentTimeMillis() / 1000;
            checkTimes(claims, at, true);
            if (((Number) claims.getValue("exp")).longValue() - at > maxRemainingSeconds) {
                // A revocation written now would expire (revocation.retention) while this token is still valid: fail
                // closed.
                throw AuthenticationFailure.rejected("token_outlives_revocation");
            }
            checkAudience(claims);
            // Kept without the token; each use gets its own copy back (the token passed isBase64Url: ASCII only).
            Identity identity = Claims.toIdentity(claims);
            if (key != null) {
                verified.put(key, identity, at, leeway);
            }
            return identity.forToken(new AsciiString(bytes, false));
        });
    }

    /** Forgets a verified token (e.g. when it was found revoked), so the next use is checked afresh. */
    public void forget(String token) {
        KeySet current = provider.keys();
        if (verified.enabled() && current != null) {
            verified.remove(VerifiedTokens.key(token.getBytes(StandardCharsets.UTF_8), current.version()));
        }
    }

    /**
     * Header vetting + signature + issuer; returns the claims. Used for access and logout tokens alike; the
     * caller checks the rest of its token type's claims.
     */
    public Future<JsonObject> verifySignature(String token, Set<String> allowedTypes) {
        JsonObject header;
        JsonObject claims;
        try {
            if (token.length() > MAX_TOKEN_LENGTH) {
                throw AuthenticationFailure.rejected("token_too_large");
            }
            String[] parts = token.split("\\.", -1);
            if (parts.length != 3 || !isBase64Url(parts[0]) || !isBase64Url(parts[1]) || !isBase64Url(parts[2])) {
                throw AuthenticationFailure.rejected("malformed_token");
            }
            header = json(parts[0]);
            checkHeader(header, allowedTypes);
            claims = json(parts[1]);
            if (!(claims.getValue("iss") instanceof String iss) || !iss.equals(issuer)) {
                throw AuthenticationFailure.rejected("wrong_issuer");
            }
            // JWTAuth casts these itself and would throw on a string: reject wrong types before it sees them. A number
            // past the range of a long (BigInteger) would wrap around in longValue(), so it is malformed too.
            for (String t : TIME_CLAIMS) {
                Object v = claims.getValue(t);
                if (v != null
                        && !(v instanceof Integer
                                || v instanceof Long
                                || v instanceof Double d && Double.isFinite(d) && Math.abs(d) < 1e15)) {
                    throw AuthenticationFailure.rejected("malformed_" + t);
                }
            }
            Object aud = claims.getValue("aud");
            if (aud != null
                    && !(aud instanceof String)
                    && !(aud instanceof JsonArray a && a.stream().allMatch(String.class::isInstance))) {
                throw AuthenticationFailure.rejected("malformed_aud");
            }
        } catch (AuthenticationFailure e) {
            return Future.failedFuture(e);
        }
        KeySet keys = provider.keys();
        if (keys == null) {
            return Future.failedFuture(AuthenticationFailure.unavailable("keys_unavailable", 5));
        }
        String kid = header.getString("kid");
        if (kid != null && !keys.kids().contains(kid)) {
            Context ctx = vertx.getOrCreateContext();
            return Contexts.on(ctx, provider.refetchForUnknownKid().otherwise(keys))
                    .compose(fresh -> {
                        if (fresh == null || !fresh.kids().contains(kid)) {
                            return Future.failedFuture(AuthenticationFailure.rejected("unknown_kid"));
                        }
                        return checkSignature(token, fresh, claims);
                    });
        }
        return checkSignature(token, keys, claims);
    }

    private Future<JsonObject> checkSignature(String token, KeySet keys, JsonObject claims) {
        if (keys.version() != authVersion) {
            // Swap, never mutate: requests in flight keep the verifier they started with.
            auth = JWTAuth.create(
                    vertx,
                    new JWTAuthOptions()
                            .setJwks(keys.keys())
                            .setJWTOptions(
                                    new JWTOptions().setLeeway((int) leeway).setIgnoreExpiration(true)));
            authVersion = keys.version();
        }
        Future<?> result;
        try {
            result = auth.authenticate(new TokenCredentials(token));
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result.transform(ar -> ar.succeeded()
                ? Future.succeededFuture(claims)
                : Future.failedFuture(AuthenticationFailure.rejected("invalid_signature")));
    }

    private static void checkHeader(JsonObject header, Set<String> allowedTypes) {
        Object alg = header.getValue("alg");
        if (!(alg instanceof String a) || !KeySet.ALGORITHMS.contains(a)) {
            throw AuthenticationFailure.rejected("unsupported_algorithm");
        }
        for (String h : FORBIDDEN_HEADERS) {
            if (header.containsKey(h)) {
                throw AuthenticationFailure.rejected("forbidden_header_" + h);
            }
        }
        if (header.containsKey("kid") && !(header.getValue("kid") instanceof String)) {
            throw AuthenticationFailure.rejected("malformed_kid");
        }
        // Required: Keycloak types every token it signs, and the type is what keeps its kinds of tokens apart.
        Object typ = header.getValue("typ");
        if (!(typ instanceof String t) || !allowedTypes.contains(t.toLowerCase(Locale.ROOT))) {
            throw AuthenticationFailure.rejected("wrong_token_type");
        }
    }

    /** exp required, nbf and iat honoured, each with the configured leeway (≤ 30 s). */
    void checkTimes(JsonObject claims, long now, boolean requireExp) {
        Object exp = claims.getValue("exp");
        if (!(exp instanceof Number e)) {
            if (requireExp) {
                throw AuthenticationFailure.rejected(exp == null ? "missing_exp" : "malformed_exp");
            }
        } else if (now > e.longValue() + leeway) {
            throw AuthenticationFailure.rejected("expired");
        }
        Object nbf = claims.getValue("nbf");
        if (nbf != null && (!(nbf instanceof Number n) || n.longValue() > now + leeway)) {
            throw AuthenticationFailure.rejected("not_yet_valid");
        }
        Object iat = claims.getValue("iat");
        if (iat != null && (!(iat instanceof Number i) || i.longValue() > now + leeway)) {
            throw AuthenticationFailure.rejected("issued_in_future");
        }
    }

    private void checkAudience(JsonObject claims) {
        Object aud = claims.getValue("aud");
        boolean ok = aud instanceof String s ? s.equals(audience) : aud instanceof JsonArray a && a.contains(audience);
        if (!ok && !audience.equals(claims.getValue("azp"))) {
            throw AuthenticationFailure.rejected("wrong_audience");
        }
    }

    /**
     * One JWS part in the strict form RFC 7515 §2 and §7.1 define (base64url, RFC 4648 §5, without padding): only
     * {@code A-Z a-z 0-9 - _}, not empty, a length that some byte string encodes to (not 1 mod 4), and the unused low
     * bits of the last character zero (RFC 4648 §3.5), so each token has exactly one spelling. Lenient decoders accept
     * {@code =}, other alphabets and non-zero trailing bits in the signature part; nothing here does.
     */
    static boolean isBase64Url(String part) {
        int n = part.length();
        if (n == 0 || n % 4 == 1) {
            return false;
        }
        int last = 0;
        for (int i = 0; i < n; i++) {
            char c = part.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                last = c - 'A';
            } else if (c >= 'a' && c <= 'z') {
                last = c - 'a' + 26;
            } else if (c >= '0' && c <= '9') {
                last = c - '0' + 52;
            } else if (c == '-') {
                last = 62;
            } else if (c == '_') {
                last = 63;
            } else {
                return false;
            }
        }
        int unusedBits = n % 4 == 2 ? 0x0F : n % 4 == 3 ? 0x03 : 0;
        return (last & unusedBits) == 0;
    }

    @SuppressWarnings("unchecked")
    private static JsonObject json(String segment) {
        try {
            Object parsed = STRICT.readValue(B64URL.decode(segment), Object.class);
            if (!(parsed instanceof Map)) {
                throw AuthenticationFailure.rejected("malformed_token");
            }
            return new JsonObject((Map<String, Object>) parsed);
        } catch (AuthenticationFailure e) {
            throw e;
        } catch (Exception e) {
            throw AuthenticationFailure.rejected("malformed_token");
        }
    }
}

package org.servicetokens.sidecar.login;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.keycloak.TokenEndpoint;
import org.servicetokens.sidecar.pipeline.AccessLog;
import org.servicetokens.sidecar.session.SessionCookies;
import org.servicetokens.sidecar.session.SessionRecord;
import org.servicetokens.sidecar.session.SessionStore;
import org.servicetokens.sidecar.util.RandomTokens;

/**
 * {@code GET /.sidecar/callback}: Keycloak sends the browser back with {@code code} and {@code state}. The state
 * must be one this sidecar issued, unexpired, and started by this very browser (its sealed login cookie, which is
 * cleared here whatever the outcome); the code
 * is exchanged with the PKCE verifier; the ID token must be signed by the realm, for this app, fresh, and carry
 * the nonce; the access token must pass the same checks as any bearer token. Only then is a session created and
 * the browser sent back where it was going.
 */
public final class LoginCallback implements io.vertx.core.Handler<RoutingContext> {

    private static final Set<String> ID_TOKEN_TYPES = Set.of("jwt");

    private final SessionStore store;
    private final SessionCookies cookies;
    private final PendingLogins logins;
    private final TokenEndpoint tokens;
    private final JwtVerifier verifier;
    private final String clientId;
    private final long leewaySeconds;

    public LoginCallback(
            SessionStore store,
            SessionCookies cookies,
            PendingLogins logins,
            TokenEndpoint tokens,
            JwtVerifier verifier,
            String clientId,
            long leewaySeconds) {
        this.store = store;
        this.cookies = cookies;
        this.logins = logins;
        this.tokens = tokens;
        this.verifier = verifier;
        this.clientId = clientId;
        this.leewaySeconds = leewaySeconds;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.request().pause();
        io.vertx.core.MultiMap params;
        try {
            params = ctx.request().params();
        } catch (IllegalArgumentException e) {
            // Vert.x's decoder throws on a malformed escape (%zz) or a truncated UTF-8 sequence: bad input, not a 500.
            fail(ctx, 400, "malformed_query", "This sign-in link is not valid. Start again from the application.");
            return;
        }
        List<String> states = params.getAll("state");
        List<String> codes = params.getAll("code");
        String state = states.size() == 1 ? states.get(0) : null;
        if (!RandomTokens.isToken(state)) {
            fail(ctx, 400, "invalid_state", "This sign-in link is not valid. Start again from the application.");
            return;
        }
        PendingLogins.Found found = logins.take(ctx.request(), state);
        if (found.clearCookie() != null) {
            ctx.response().headers().add("Set-Cookie", found.clearCookie());
        }
        PendingLogin pending = found.login();
        if (pending == null) {
            fail(
                    ctx,
                    400,
                    found.refusal(),
                    found.refusal().equals("unknown_state")
                            ? "This sign-in has expired or was already used. Start again from the application."
                            : "This sign-in was started in another browser. Start again from the application.");
        } else if (!params.getAll("error").isEmpty()) {
            String error = params.get("error");
            fail(
                    ctx,
                    400,
                    "keycloak_error",
                    "Keycloak did not sign you in (" + (error.matches("[a-z_]{1,40}") ? error : "error") + ").");
        } else if (codes.size() != 1 || codes.get(0).isEmpty() || codes.get(0).length() > 4096) {
            fail(ctx, 400, "missing_code", "The sign-in answer was incomplete. Start again from the application.");
        } else {
            finish(ctx, pending, codes.get(0));
        }
    }

    private void finish(RoutingContext ctx, PendingLogin pending, String code) {
        tokens.authorizationCode(code, pending.redirectUri(), pending.verifier())
                .compose(grant -> {
                    if (grant.idToken() == null || grant.refreshToken() == null) {
                        return Future.failedFuture(AuthenticationFailure.rejected("incomplete_token_response"));
                    }
                    return checkIdToken(grant.idToken(), pending.nonce())
                            .compose(idClaims -> verifier.verifyAccessToken(grant.accessToken())
                                    .compose(identity -> {
                                        long now = System.currentTimeMillis() / 1000;
                                        SessionRecord session = new SessionRecord(
                                                identity.subject(),
                                                sidOf(idClaims, grant.accessToken()),
                                                grant.accessToken(),
                                                grant.refreshToken(),
                                                grant.idToken(),
                                                identity.expiresAt(),
                                                grant.refreshExpiresIn() > 0 ? now + grant.refreshExpiresIn() : 0,
                                                now);
                                        String sessionId = RandomTokens.next();
                                        return store.create(sessionId, session)
                                                .map(v -> new Created(sessionId, identity));
                                    }));
                })
                .onComplete(ar -> {
                    if (ar.failed()) {
                        boolean unavailable = ar.cause() instanceof AuthenticationFailure r && r.unavailable();
                        String reason = ar.cause() instanceof AuthenticationFailure r ? r.reason() : "login_failed";
                        if (unavailable) {
                            ctx.response().putHeader("Retry-After", "5");
                            fail(ctx, 503, reason, "Keycloak cannot be reached; try again shortly.");
                        } else {
                            fail(
                                    ctx,
                                    400,
                                    reason,
                                    "Keycloak's answer could not be accepted. Start again from the application.");
                        }
                        return;
                    }
                    String previous = cookies.sessionId(ctx.request());
                    if (previous != null) {
                        store.delete(previous);
                    }
                    ctx.put(AccessLog.IDENTITY, ar.result().identity())
                            .put(AccessLog.DECISION, "login")
                            .put(AccessLog.REASON, "session_created");
                    ctx.response()
                            .setStatusCode(302)
                            .putHeader("Location", pending.returnUrl())
                            .putHeader("Cache-Control", "no-store")
                            .putHeader("Referrer-Policy", "no-referrer");
                    ctx.response()
                            .headers()
                            .add("Set-Cookie", cookies.session(ar.result().sessionId()));
                    ctx.response().end();
                    ctx.request().resume();
                });
    }

    private record Created(String sessionId, Identity identity) {}

    /** Signature and issuer by the verifier; then audience, nonce and times as OIDC Core §3.1.3.7 asks. */
    private Future<JsonObject> checkIdToken(String idToken, String nonce) {
        return verifier.verifySignature(idToken, ID_TOKEN_TYPES).compose(c -> {
            long now = System.currentTimeMillis() / 1000;
            Object aud = c.getValue("aud");
            boolean forUs =
                    aud instanceof String s ? s.equals(clientId) : aud instanceof JsonArray a && a.contains(clientId);
            if (!forUs || (aud instanceof JsonArray a && a.size() > 1 && !clientId.equals(c.getValue("azp")))) {
                return Future.failedFuture(AuthenticationFailure.rejected("id_token_wrong_audience"));
            }
            if (!(c.getValue("nonce") instanceof String n) || !constantTimeEquals(n, nonce)) {
                return Future.failedFuture(AuthenticationFailure.rejected("id_token_nonce_mismatch"));
            }
            if (!(c.getValue("exp") instanceof Number exp) || now > exp.longValue() + leewaySeconds) {
                return Future.failedFuture(AuthenticationFailure.rejected("id_token_expired"));
            }
            // Keycloak writes typ "ID" into every ID token; an access or logout token signed by the same key is not
            // one.
            if (!"ID".equals(c.getValue("typ"))) {
                return Future.failedFuture(AuthenticationFailure.rejected("not_an_id_token"));
            }
            return Future.succeededFuture(c);
        });
    }

    /** Keycloak's SSO session id: in the ID token (always), else in the access token. */
    private static String sidOf(JsonObject idClaims, String accessToken) {
        if (idClaims.getValue("sid") instanceof String sid) {
            return sid;
        }
        try {
            String payload = new String(
                    java.util.Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]), StandardCharsets.UTF_8);
            return new JsonObject(payload).getString("sid");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private void fail(RoutingContext ctx, int status, String reason, String message) {
        Pages.refuse(ctx, status, status >= 500 ? "temporarily_unavailable" : "login_failed", reason, message);
    }
}

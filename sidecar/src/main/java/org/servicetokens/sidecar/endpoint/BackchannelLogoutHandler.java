package org.servicetokens.sidecar.endpoint;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.servicetokens.sidecar.grant.ClientCredentialsGrants;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.metrics.SidecarMetrics;
import org.servicetokens.sidecar.pipeline.Answers;
import org.servicetokens.sidecar.revocation.RevocationStore;
import org.servicetokens.sidecar.revocation.ServiceTokenChanges;
import org.servicetokens.sidecar.revocation.ServiceTokenNotice;

/**
 * {@code POST /.sidecar/backchannel-logout} (OIDC Back-Channel Logout 1.0 §2.6), used both by Keycloak for
 * human sessions and by the provider to revoke service tokens. The logout token (§2.4) must be signed by the
 * realm, explicitly typed (JOSE {@code typ} {@code logout+jwt}, which Keycloak 26 and the provider both send: an
 * access or ID token signed by the same key is refused even if it carries an {@code events} claim), for this
 * issuer and this app, carry the back-channel event member with a JSON object value, no {@code nonce}, a
 * non-empty string {@code sub} and/or {@code sid}, {@code iat}, {@code exp} and {@code jti}, be fresh, and not be
 * replayed. A payload {@code typ}, when present, must be Keycloak's {@code Logout}. What it revokes: see
 * {@link ServiceTokenChanges} (a plain logout token: the subject's JWTs issued before its {@code iat}; the
 * provider's {@code service_token} claim narrows or widens that); a {@code sid} ends that SSO session's tokens.
 * Answers 200 on success, 400 {@code invalid_request} with a reason otherwise (§2.8), counted by reason in
 * {@code sidecar_logout_tokens_refused_total}.
 */
public final class BackchannelLogoutHandler implements Handler<RoutingContext> {

    public static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";
    private static final Logger LOG = Logger.getLogger(BackchannelLogoutHandler.class.getName());

    private final JwtVerifier verifier;
    private final RevocationStore revocations;
    private final Cache<String, String> seenJtis;
    private final ClientCredentialsGrants grants;
    private final SidecarMetrics metrics;
    private final String audience;
    private final long maxAgeSeconds;
    private final long leewaySeconds;

    public BackchannelLogoutHandler(
            JwtVerifier verifier,
            RevocationStore revocations,
            Cache<String, String> seenJtis,
            ClientCredentialsGrants grants,
            SidecarMetrics metrics,
            String audience,
            long maxAgeSeconds,
            long leewaySeconds) {
        this.verifier = verifier;
        this.revocations = revocations;
        this.seenJtis = seenJtis;
        this.grants = grants;
        this.metrics = metrics;
        this.audience = audience;
        this.maxAgeSeconds = maxAgeSeconds;
        this.leewaySeconds = leewaySeconds;
    }

    @Override
    public void handle(RoutingContext ctx) {
        List<String> tokens = ctx.request().formAttributes().getAll("logout_token");
        if (tokens.size() != 1 || tokens.get(0).isEmpty()) {
            refuse(ctx, "missing_logout_token");
            return;
        }
        verifier.verifySignature(tokens.get(0), JwtVerifier.LOGOUT_TYPES).onComplete(ar -> {
            if (ar.failed()) {
                refuse(ctx, ar.cause() instanceof AuthenticationFailure r ? r.reason() : "invalid_logout_token");
                return;
            }
            // Off the event loop: clustered, each cache write waits until every replica has applied it.
            ctx.vertx().executeBlocking(() -> accept(ar.result()), false).onComplete(applied -> {
                if (applied.failed()) {
                    LOG.warning("revocation not applied: "
                            + applied.cause().getClass().getSimpleName());
                    metrics.revocation("failed");
                    ctx.put("decision", "error").put("reason", "revocation_not_stored");
                    ctx.response().putHeader("Retry-After", "1");
                    Answers.json(ctx, 503, "temporarily_unavailable", "revocation_not_stored");
                    return;
                }
                if (applied.result() != null) {
                    refuse(ctx, applied.result());
                    return;
                }
                metrics.revocation("accepted");
                ctx.put("decision", "revoke").put("reason", "backchannel_logout");
                ctx.response()
                        .setStatusCode(200)
                        .putHeader("Cache-Control", "no-store")
                        .end();
            });
        });
    }

    /** Checks the claims and applies the revocation; returns the reason when refused. */
    private String accept(JsonObject c) {
        long now = System.currentTimeMillis() / 1000;
        Object aud = c.getValue("aud");
        if (!(aud instanceof String s ? s.equals(audience) : aud instanceof JsonArray a && a.contains(audience))) {
            return "wrong_audience";
        }
        if (c.getValue("typ") != null && !(c.getValue("typ") instanceof String typ && typ.equalsIgnoreCase("Logout"))) {
            return "not_a_logout_token";
        }
        if (!(c.getValue("events") instanceof JsonObject events) || !(events.getValue(EVENT) instanceof JsonObject)) {
            return "missing_logout_event";
        }
        if (c.containsKey("nonce")) {
            return "nonce_not_allowed";
        }
        if (!(c.getValue("iat") instanceof Number iatN)) {
            return "missing_iat";
        }
        long iat = iatN.longValue();
        if (iat > now + leewaySeconds || iat < now - maxAgeSeconds - leewaySeconds) {
            return "stale_iat";
        }
        if (!(c.getValue("exp") instanceof Number exp)) {
            return "missing_exp";
        }
        if (now > exp.longValue() + leewaySeconds) {
            return "expired";
        }
        Object subClaim = c.getValue("sub");
        Object sidClaim = c.getValue("sid");
        if (subClaim != null && !(subClaim instanceof String s && !s.isEmpty())) {
            return "malformed_sub";
        }
        if (sidClaim != null && !(sidClaim instanceof String s && !s.isEmpty())) {
            return "malformed_sid";
        }
        String sub = (String) subClaim;
        String sid = (String) sidClaim;
        if (sub == null && sid == null) {
            return "missing_sub_and_sid";
        }
        if (!(c.getValue("jti") instanceof String jti) || jti.isEmpty() || jti.length() > 256) {
            return "missing_jti";
        }
        ServiceTokenNotice notice;
        try {
            notice = ServiceTokenNotice.from(c, iat);
        } catch (ServiceTokenNotice.Malformed e) {
            return e.getMessage();
        }
        long ttl = maxAgeSeconds + 2 * leewaySeconds + 1;
        if (seenJtis.putIfAbsent(jti, "1", ttl, TimeUnit.SECONDS) != null) {
            return "replayed_jti";
        }
        if (sub != null) {
            ServiceTokenChanges.apply(sub, iat, notice, revocations, grants);
        }
        if (sid != null) {
            revocations.revokeSession(sid, iat);
        }
        return null;
    }

    private void refuse(RoutingContext ctx, String reason) {
        metrics.revocation("refused");
        metrics.logoutTokenRefused(reason);
        ctx.put("decision", "deny").put("reason", reason);
        Answers.json(ctx, 400, "invalid_request", reason);
    }
}

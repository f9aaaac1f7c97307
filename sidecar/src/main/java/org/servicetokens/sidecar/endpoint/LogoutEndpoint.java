package org.servicetokens.sidecar.endpoint;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.keycloak.OidcMetadata;
import org.servicetokens.sidecar.keycloak.OidcProvider;
import org.servicetokens.sidecar.login.BrowserLogin;
import org.servicetokens.sidecar.login.CsrfToken;
import org.servicetokens.sidecar.login.Pages;
import org.servicetokens.sidecar.pipeline.AccessLog;
import org.servicetokens.sidecar.pipeline.RequestContext;
import org.servicetokens.sidecar.session.SessionCookies;
import org.servicetokens.sidecar.session.SessionRecord;
import org.servicetokens.sidecar.session.SessionStore;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * {@code /.sidecar/logout}: GET shows a confirmation form (a link or image elsewhere cannot log anyone out),
 * and so does a browser's same-origin POST without any CSRF field (an app's own "Log out" form, which cannot
 * know the token); POST with the session's CSRF token, from this origin, ends the session here and sends the browser to
 * Keycloak's end-session endpoint with {@code id_token_hint} and {@code post_logout_redirect_uri}, which ends
 * the SSO session without another question. {@code /.sidecar/logged-out} is where Keycloak sends it back.
 */
public final class LogoutEndpoint {

    private final OidcProvider provider;
    private final SessionStore store;
    private final SessionCookies cookies;
    private final BrowserLogin login;
    private final String clientId;
    private final String postLogoutUrl;

    public LogoutEndpoint(
            OidcProvider provider,
            SessionStore store,
            SessionCookies cookies,
            BrowserLogin login,
            SidecarConfig config) {
        this.provider = provider;
        this.store = store;
        this.cookies = cookies;
        this.login = login;
        this.clientId = config.app.clientId;
        this.postLogoutUrl = config.login.postLogoutUrl;
    }

    /** GET: the confirmation page (or, without a session, the signed-out page). */
    public void confirm(RoutingContext ctx) {
        String sessionId = cookies.sessionId(ctx.request());
        ctx.put(AccessLog.DECISION, "logout").put(AccessLog.REASON, "confirm_page");
        if (sessionId == null) {
            loggedOut(ctx);
            return;
        }
        Pages.html(
                ctx,
                200,
                "Sign out?",
                "<form method=\"post\" action=\"" + SidecarPaths.LOGOUT + "\">"
                        + "<input type=\"hidden\" name=\"csrf\" value=\"" + CsrfToken.forSession(sessionId) + "\">"
                        + "<p>You will be signed out of this application and of your Keycloak account.</p>"
                        + "<button type=\"submit\" id=\"sign-out\">Sign out</button> <a href=\"/\">Cancel</a></form>",
                keycloakOrigin());
    }

    /** POST: checks origin and CSRF token, ends the session, continues to Keycloak. */
    public void logout(RoutingContext ctx) {
        if (!sameOrigin(ctx)) {
            Pages.refuse(
                    ctx,
                    403,
                    "forbidden",
                    "cross_origin_logout",
                    "Sign-out must come from this application's own page.");
            return;
        }
        String sessionId = cookies.sessionId(ctx.request());
        var submitted = ctx.request().formAttributes().getAll("csrf");
        if (sessionId != null && submitted.isEmpty() && acceptsHtml(ctx)) {
            // An app's own "Log out" button cannot know the token (it is derived from the HttpOnly cookie): ask on the
            // sidecar's confirmation page, whose form carries it, instead of calling the form expired.
            confirm(ctx);
            return;
        }
        if (sessionId != null && (submitted.size() != 1 || !CsrfToken.matches(sessionId, submitted.get(0)))) {
            Pages.refuse(
                    ctx,
                    403,
                    "forbidden",
                    "logout_csrf",
                    "This sign-out form has expired. Reload the page and try again.");
            return;
        }
        Future<SessionRecord> ending = sessionId == null
                ? Future.succeededFuture()
                : store.load(sessionId)
                        .compose(s -> store.delete(sessionId).map(s))
                        .recover(err -> Future.succeededFuture());
        ending.onComplete(ar -> {
            SessionRecord session = ar.result();
            OidcMetadata meta = provider.metadataNow();
            String after = afterLogoutUrl(ctx);
            String location = after;
            if (meta != null && meta.endSessionEndpoint() != null) {
                location =
                        meta.endSessionEndpoint() + (meta.endSessionEndpoint().contains("?") ? "&" : "?")
                                + "client_id=" + enc(clientId)
                                + "&post_logout_redirect_uri=" + enc(after)
                                + (session != null && session.idToken() != null
                                        ? "&id_token_hint=" + enc(session.idToken())
                                        : "");
            }
            ctx.put(AccessLog.DECISION, "logout")
                    .put(AccessLog.REASON, session != null ? "session_ended" : "no_session");
            ctx.response()
                    .setStatusCode(302)
                    .putHeader("Location", location)
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Set-Cookie", cookies.clearSession())
                    .end();
            Pages.resume(ctx);
        });
    }

    private static boolean acceptsHtml(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        return accept != null && accept.contains("text/html");
    }

    public void loggedOut(RoutingContext ctx) {
        ctx.put(AccessLog.DECISION, "logout").put(AccessLog.REASON, "signed_out_page");
        Pages.html(
                ctx,
                200,
                "Signed out",
                "<p>You are signed out.</p><p><a id=\"sign-in\" href=\"/\">Sign in again</a></p>",
                "");
    }

    private String afterLogoutUrl(RoutingContext ctx) {
        if (postLogoutUrl.isEmpty()) {
            return login.baseUrl(RequestContext.of(ctx)) + SidecarPaths.LOGGED_OUT;
        }
        return postLogoutUrl.startsWith("/") ? login.baseUrl(RequestContext.of(ctx)) + postLogoutUrl : postLogoutUrl;
    }

    /**
     * Browsers send {@code Origin} on every POST and {@code Sec-Fetch-Site} too; either naming another site means a
     * cross-site form. (SameSite=Lax already keeps the session cookie off such a POST; this says so explicitly.)
     */
    private boolean sameOrigin(RoutingContext ctx) {
        String fetchSite = ctx.request().getHeader("Sec-Fetch-Site");
        if (fetchSite != null && !fetchSite.equals("same-origin")) {
            return false;
        }
        String origin = ctx.request().getHeader("Origin");
        return origin == null || origin.equals(login.origin(RequestContext.of(ctx)));
    }

    private String keycloakOrigin() {
        OidcMetadata meta = provider.metadataNow();
        if (meta == null || meta.endSessionEndpoint() == null) {
            return "";
        }
        URI u = URI.create(meta.endSessionEndpoint());
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

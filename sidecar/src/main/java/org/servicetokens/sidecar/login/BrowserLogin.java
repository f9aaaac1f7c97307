package org.servicetokens.sidecar.login;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.keycloak.OidcMetadata;
import org.servicetokens.sidecar.keycloak.OidcProvider;
import org.servicetokens.sidecar.pipeline.LoginFlow;
import org.servicetokens.sidecar.pipeline.RequestContext;
import org.servicetokens.sidecar.util.RandomTokens;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * Starts a human login: authorization code request with PKCE S256, a fresh {@code state} and {@code nonce}, and
 * the URL to come back to. The state's details wait in a sealed login cookie in this very browser
 * ({@link PendingLogins}: any replica can open it, nothing is stored on the server), so a state carried to another
 * browser (login CSRF, a forged callback) is refused, and a flood of anonymous navigations stores nothing. Several
 * tabs logging in at once each keep their own state and cookie (a few per browser).
 */
public final class BrowserLogin implements LoginFlow {

    private final OidcProvider provider;
    private final PendingLogins logins;
    private final String clientId;
    private final String scope;
    private final String publicUrl;
    private final String publicOrigin;

    public BrowserLogin(OidcProvider provider, PendingLogins logins, SidecarConfig config) {
        this.provider = provider;
        this.logins = logins;
        this.clientId = config.app.clientId;
        this.scope = config.login.scope;
        String p = config.listen.publicUrl;
        this.publicUrl = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        java.net.URI u = p.isEmpty() ? null : java.net.URI.create(p);
        this.publicOrigin = u == null ? "" : u.getScheme() + "://" + u.getRawAuthority();
    }

    /** A navigation without a session: log in, then come back to the very URL asked for. */
    @Override
    public void start(RequestContext context) {
        begin(context, ReturnUrl.sanitize(context.uri()));
    }

    /** {@code GET /.sidecar/login?rd=/path}: for apps that send the browser to log in themselves (after a 401). */
    public void explicit(RoutingContext ctx) {
        java.util.List<String> rd;
        try {
            rd = ctx.request().params().getAll("rd");
        } catch (IllegalArgumentException e) {
            // Vert.x's decoder throws on a malformed escape (%zz) or a truncated UTF-8 sequence: bad input, not a 500.
            Pages.refuse(ctx, 400, "bad_request", "malformed_query", "This address is not valid.");
            return;
        }
        begin(RequestContext.of(ctx), rd.size() == 1 ? ReturnUrl.sanitize(rd.get(0)) : ReturnUrl.HOME);
    }

    private void begin(RequestContext ctx, String returnUrl) {
        HttpServerRequest request = ctx.request();
        request.pause();
        OidcMetadata meta = provider.metadataNow();
        if (meta == null || meta.authorizationEndpoint() == null) {
            ctx.response().putHeader("Retry-After", "5");
            Pages.refuse(
                    ctx,
                    503,
                    "temporarily_unavailable",
                    "keycloak_unavailable",
                    "Keycloak cannot be reached; try again shortly.");
            return;
        }
        String state = RandomTokens.next();
        String nonce = RandomTokens.next();
        String verifier = Pkce.verifier();
        String redirectUri = baseUrl(ctx) + SidecarPaths.CALLBACK;
        if (redirectUri.length() > PendingLogins.MAX_REDIRECT_URI) {
            ctx.decided("deny", "invalid_host");
            Pages.refuse(ctx, 400, "bad_request", "invalid_host", "This address is not valid.");
            return;
        }
        PendingLogin pending = logins.create(state, verifier, nonce, returnUrl, redirectUri);
        String location = meta.authorizationEndpoint()
                + (meta.authorizationEndpoint().contains("?") ? "&" : "?")
                + "client_id=" + enc(clientId)
                + "&response_type=code"
                + "&scope=" + enc(scope)
                + "&redirect_uri=" + enc(redirectUri)
                + "&state=" + state
                + "&nonce=" + nonce
                + "&code_challenge=" + Pkce.challenge(verifier)
                + "&code_challenge_method=S256";
        ctx.decided("login", "no_credentials");
        ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-store");
        // add, not put: an ended session's cookie may be being cleared in the same answer.
        for (String cookie : logins.store(request, state, pending)) {
            ctx.response().headers().add("Set-Cookie", cookie);
        }
        ctx.response().end();
        request.resume();
    }

    /**
     * This sidecar as the browser sees it, the base of every URL the sidecar builds: {@code listen.public-url}, else
     * the request's scheme and Host (exactly one, valid: the pipeline's {@code RequestScreen} refused anything else;
     * for a forward-auth call, the original request's).
     */
    public String baseUrl(RequestContext ctx) {
        if (!publicUrl.isEmpty()) {
            return publicUrl;
        }
        // Keycloak only redirects to registered URIs, so a forged Host cannot send the code elsewhere. Behind a
        // forward-auth proxy these are the original request's scheme and Host, as the (trusted) proxy named them.
        String authority = ctx.authority();
        return ctx.scheme() + "://" + (authority == null ? "localhost" : authority);
    }

    /** The origin (RFC 6454: scheme and authority, no path) of {@link #baseUrl}, for Origin checks. */
    public String origin(RequestContext ctx) {
        return publicOrigin.isEmpty() ? baseUrl(ctx) : publicOrigin;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

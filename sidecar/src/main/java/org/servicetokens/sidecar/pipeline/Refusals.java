package org.servicetokens.sidecar.pipeline;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.servicetokens.sidecar.credentials.CredentialException;
import org.servicetokens.sidecar.identity.AuthenticationFailure;

/**
 * How a request that gave no identity is answered, for every caller of the authenticators (the pipeline, the
 * identity endpoint): a browser navigation without a valid session is sent to log in; anything else gets the
 * JSON refusal its {@link AuthenticationFailure} names, a 401 with its {@code WWW-Authenticate} challenge (RFC 6750
 * §3: {@code Bearer realm="<app client ID>"}, plus {@code error="invalid_token"} when a token was presented), a 429
 * or 503 with {@code Retry-After}. Every answer is noted for the access log.
 */
public final class Refusals {

    private static final Logger LOG = Logger.getLogger(Refusals.class.getName());

    private final LoginFlow login;
    private final String appClientId;
    private final ProtectedResource resource;

    /**
     * @param login       where a browser navigation without credentials is sent
     * @param appClientId the app's client ID ({@code app.client-id}), named as the challenge's realm
     * @param resource    when enabled, every challenge also names the RFC 9728 metadata ({@code resource_metadata})
     */
    public Refusals(LoginFlow login, String appClientId, ProtectedResource resource) {
        this.login = login;
        this.appClientId = appClientId;
        this.resource = resource;
    }

    /** The same answers, except that a browser navigation without a session goes to {@code login}. */
    public Refusals withLogin(LoginFlow login) {
        return new Refusals(login, appClientId, resource);
    }

    /** No credential at all: a navigation logs in, anything else gets 401 {@code no_credentials}. */
    public void unauthenticated(RequestContext ctx) {
        if (isBrowserNavigation(ctx)) {
            login.start(ctx);
        } else {
            unauthorized(ctx, "no_credentials", false);
        }
    }

    /** 401 {@code no_credentials} without offering a login (an API asked who is calling). */
    public void noCredentials(RequestContext ctx) {
        unauthorized(ctx, "no_credentials", false);
    }

    /** 400 for a credential that reads two ways, 401 (with its challenge) for one that cannot be valid. */
    public void credential(RequestContext ctx, CredentialException e) {
        if (e.status() == 401) {
            unauthorized(ctx, e.reason(), true);
        } else {
            deny(ctx, e.status(), "bad_request", e.reason());
        }
    }

    /**
     * The answer to a failed authentication: what the {@link AuthenticationFailure} says, or 500 {@code internal}
     * for anything else (logged: a bug).
     *
     * @param mayLogIn whether a browser navigation whose session ended may be sent to log in again
     */
    public void failure(RequestContext ctx, Throwable cause, boolean mayLogIn) {
        if (!(cause instanceof AuthenticationFailure f)) {
            LOG.log(Level.SEVERE, "unexpected failure while authenticating", cause);
            deny(ctx, 500, "server_error", "internal");
            return;
        }
        if (f.setCookie() != null) {
            ctx.response().headers().add("Set-Cookie", f.setCookie());
        }
        if (f.offersLogin() && mayLogIn && isBrowserNavigation(ctx)) {
            // The session is over: the request is one without credentials, and a navigation logs in again.
            login.start(ctx);
        } else if (f.status() == 401) {
            unauthorized(ctx, f.reason(), f.invalidToken());
        } else {
            if (f.retryAfterSeconds() > 0) {
                ctx.response().putHeader("Retry-After", Long.toString(f.retryAfterSeconds()));
            }
            deny(ctx, f.status(), f.error(), f.reason());
        }
    }

    /** Answers {@code status} with the JSON {@code error} and {@code reason}, noted for the access log. */
    public void deny(RequestContext ctx, int status, String error, String reason) {
        ctx.decided(status >= 500 ? "error" : "deny", reason);
        Answers.refuse(ctx, status, error, reason);
    }

    private void unauthorized(RequestContext ctx, String reason, boolean tokenPresented) {
        String challenge = "Bearer realm=\"" + appClientId + "\"" + (tokenPresented ? ", error=\"invalid_token\"" : "");
        if (resource.enabled()) {
            // RFC 9728 §5.1: a client that knows only this URL finds its authorization server from here.
            challenge += ", resource_metadata=\"" + resource.metadataUrl(ctx) + "\"";
        }
        ctx.response().putHeader("WWW-Authenticate", challenge);
        deny(ctx, 401, tokenPresented ? "invalid_token" : "unauthorized", reason);
    }

    /**
     * GET/HEAD asking for HTML, not an XHR: a person at a browser, who should see the login page. The method is the
     * one judged ({@link RequestContext#method()}: the original request's behind a forward-auth proxy).
     */
    static boolean isBrowserNavigation(RequestContext ctx) {
        HttpServerRequest request = ctx.request();
        if (ctx.method() != HttpMethod.GET && ctx.method() != HttpMethod.HEAD) {
            return false;
        }
        String accept = request.getHeader("Accept");
        return accept != null
                && accept.toLowerCase().contains("text/html")
                && request.getHeader("X-Requested-With") == null;
    }
}

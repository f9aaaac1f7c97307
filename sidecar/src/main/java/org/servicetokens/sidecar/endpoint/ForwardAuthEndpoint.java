package org.servicetokens.sidecar.endpoint;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.pipeline.AccessDecision;
import org.servicetokens.sidecar.pipeline.LoginFlow;
import org.servicetokens.sidecar.pipeline.Refusals;
import org.servicetokens.sidecar.pipeline.RequestContext;
import org.servicetokens.sidecar.pipeline.RequestScreen;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * The forward-auth front door: {@code /.sidecar/forward-auth} (Traefik {@code ForwardAuth}, Caddy
 * {@code forward_auth}, Envoy {@code ext_authz}) and {@code /.sidecar/auth-request} (nginx {@code auth_request},
 * ingress-nginx). A proxy asks whether the request it holds may pass; the sidecar judges the original request, named
 * by the proxy's headers ({@link ForwardedRequest}, only from {@code forward-auth.trusted-proxies}), with the very
 * steps of a proxied request: the {@link RequestScreen}'s method rule, then the {@link AccessDecision} (path
 * normalisation and its refusals, the one credential, the authenticator chain, the policy) and the same
 * {@link Refusals}. Nothing is forwarded from here. One difference, because the proxy forwards the path as the client
 * spelt it and not the normal form the sidecar judged: a path that is not already in normal form ({@code /a/../b},
 * {@code //}, {@code %41}, lower-case hex) is refused, 400 {@code non_canonical_path}.
 *
 * <p>Answers: {@code 200} with the identity headers ({@code X-Access-Jwt-Assertion}, {@code X-Auth-*}; all nine
 * names always, empty where there is no value, all empty on a {@code public} path) for the proxy to copy onto the upstream request; the refusals' JSON {@code 401} (with the
 * {@code WWW-Authenticate} challenge) / {@code 403} / {@code 400} / {@code 405} / {@code 429} / {@code 503}. A browser
 * navigation without a session gets, on {@code forward-auth}, the 302 to Keycloak's login (the proxy passes it on,
 * with the pending-login cookie), and on {@code auth-request} a 401 whose {@code X-Sidecar-Login} header holds the
 * sidecar's login URL with the original target as {@code rd}, for nginx's {@code error_page 401}. Every answer
 * names its reason in {@code X-Sidecar-Reason} ({@code [a-z_]}), which nginx cannot read from a body.
 */
public final class ForwardAuthEndpoint {

    /** The login URL for nginx's {@code error_page 401} (auth-request only, browser navigations only). */
    public static final String LOGIN_HEADER = "X-Sidecar-Login";
    /** The answer's reason code, for proxies that see only headers. */
    public static final String REASON_HEADER = "X-Sidecar-Reason";

    /**
     * Every identity header, sent on every 200 (empty when the identity has no such value, or on a public path): a
     * proxy that copies a header the answer lacks may otherwise pass something else on (Caddy 2.6's
     * {@code copy_headers} sends its unexpanded placeholder), never the client's copy but never ours either.
     */
    private static final List<String> IDENTITY_NAMES = List.of(
            IdentityHeaders.ASSERTION,
            IdentityHeaders.TYPE,
            IdentityHeaders.SUBJECT,
            IdentityHeaders.USERNAME,
            IdentityHeaders.EMAIL,
            IdentityHeaders.CLIENT_ID,
            IdentityHeaders.TOKEN_NAME,
            IdentityHeaders.ROLES,
            IdentityHeaders.GROUPS);

    private final ForwardedRequest reader;
    private final RequestScreen screen;
    private final AccessDecision decision;
    private final IdentityHeaders identityHeaders;
    private final Refusals redirecting;
    private final Refusals byStatus;
    private final String publicUrl;
    private final AccessDecision.Allowed allowed = this::allowed;

    /**
     * @param refusals the proxy's refusals (a navigation is sent to Keycloak); the auth-request door uses them with
     *                 its own login answer
     * @param publicUrl {@code listen.public-url}, or empty
     */
    public ForwardAuthEndpoint(
            ForwardedRequest reader,
            RequestScreen screen,
            AccessDecision decision,
            IdentityHeaders identityHeaders,
            Refusals refusals,
            String publicUrl) {
        this.reader = reader;
        this.screen = screen;
        this.decision = decision;
        this.identityHeaders = identityHeaders;
        this.redirecting = refusals;
        LoginFlow viaStatus = this::loginByStatus;
        this.byStatus = refusals.withLogin(viaStatus);
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    /** {@code /.sidecar/forward-auth}: refusals as the proxy answers them, a navigation redirected to log in. */
    public void forwardAuth(RoutingContext routed) {
        handle(routed, redirecting);
    }

    /** {@code /.sidecar/auth-request}: a navigation gets 401 and {@code X-Sidecar-Login}. */
    public void authRequest(RoutingContext routed) {
        handle(routed, byStatus);
    }

    private void handle(RoutingContext routed, Refusals refusals) {
        HttpServerRequest request = routed.request();
        request.pause();
        RequestContext plain = RequestContext.of(routed);
        var peer = request.connection() == null ? null : request.connection().remoteAddress();
        ForwardedRequest.Result read = reader.read(request.headers(), peer == null ? null : peer.hostAddress());
        if (read.refusal() != null) {
            ForwardedRequest.Refusal r = read.refusal();
            request.response().putHeader(REASON_HEADER, r.reason());
            refusals.deny(plain, r.status(), r.error(), r.reason());
            return;
        }
        ForwardedRequest.Original original = read.original();
        Forwarded ctx = new Forwarded(plain, original);
        if (!screen.admitMethod(ctx, original.method())) {
            return;
        }
        // An exact RFC 9110 token now, the same as a request line's method.
        ctx.method = HttpMethod.valueOf(original.method());
        // The proxy forwards the raw target, so only a path whose normal form is itself may pass (same refusals
        // otherwise).
        decision.decide(ctx, original.rawPath(), true, refusals, allowed);
    }

    private void allowed(RequestContext ctx, String path, Identity identity, String reason) {
        HttpServerResponse response = ctx.response();
        if (identity != null) {
            ctx.identified(identity);
            identityHeaders.apply(identity, response.headers());
        }
        for (String name : IDENTITY_NAMES) {
            if (!response.headers().contains(name)) {
                response.putHeader(name, "");
            }
        }
        ctx.decided(identity == null ? "public" : "allow", reason);
        response.putHeader("Cache-Control", "no-store").setStatusCode(200).end();
        ctx.request().resume();
    }

    /** nginx cannot follow a 302 from {@code auth_request}: 401, and where to send the browser. */
    private void loginByStatus(RequestContext ctx) {
        String base = publicUrl.isEmpty()
                ? ctx.scheme() + "://" + (ctx.authority() == null ? "localhost" : ctx.authority())
                : publicUrl;
        ctx.response()
                .putHeader(
                        LOGIN_HEADER,
                        base + SidecarPaths.LOGIN + "?rd="
                                + URLEncoder.encode(ctx.uri(), StandardCharsets.UTF_8)
                                        .replace("+", "%20"));
        byStatus.noCredentials(ctx);
    }

    /**
     * The forward-auth request as the pipeline sees it: the original method, target, Host and scheme (the proxy's
     * claims, from a trusted peer), and the forward-auth request's own headers (credentials, Accept, cookies, which
     * the proxies pass on). Notes go to the routed request's access-log entry, and each decision's reason also into
     * {@link #REASON_HEADER}.
     */
    private static final class Forwarded extends RequestContext {

        private final RequestContext plain;
        /** Set once the request screen has admitted the method. */
        HttpMethod method;

        private final String target;
        private final String scheme;
        private final String authority;

        Forwarded(RequestContext plain, ForwardedRequest.Original original) {
            this.plain = plain;
            this.target = original.target();
            this.scheme = original.scheme() != null ? original.scheme() : plain.scheme();
            this.authority = original.host() != null ? original.host() : plain.authority();
        }

        @Override
        public HttpServerRequest request() {
            return plain.request();
        }

        @Override
        public HttpServerResponse response() {
            return plain.response();
        }

        @Override
        public HttpMethod method() {
            return method;
        }

        @Override
        public String uri() {
            return target;
        }

        @Override
        public String scheme() {
            return scheme;
        }

        @Override
        public String authority() {
            return authority;
        }

        @Override
        public RequestContext decided(String decision, String reason) {
            if (!response().headWritten()) {
                response().putHeader(REASON_HEADER, reason);
            }
            plain.decided(decision, reason);
            return this;
        }

        @Override
        public RequestContext identified(Identity identity) {
            plain.identified(identity);
            return this;
        }

        @Override
        public RequestContext path(String path) {
            plain.path(path);
            return this;
        }
    }
}

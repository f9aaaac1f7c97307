package org.servicetokens.sidecar;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.servicetokens.sidecar.authentication.AccessTokenCheck;
import org.servicetokens.sidecar.authentication.AuthenticatorChain;
import org.servicetokens.sidecar.authentication.BearerTokenAuthenticator;
import org.servicetokens.sidecar.authentication.ServiceTokenAuthenticator;
import org.servicetokens.sidecar.authentication.SessionCookieAuthenticator;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.credentials.CredentialExtractor;
import org.servicetokens.sidecar.credentials.SessionCredentials;
import org.servicetokens.sidecar.endpoint.BackchannelLogoutHandler;
import org.servicetokens.sidecar.endpoint.ForwardAuthEndpoint;
import org.servicetokens.sidecar.endpoint.ForwardedRequest;
import org.servicetokens.sidecar.endpoint.IdentityEndpoint;
import org.servicetokens.sidecar.endpoint.LogoutEndpoint;
import org.servicetokens.sidecar.endpoint.ProtectedResourceMetadata;
import org.servicetokens.sidecar.http.ClientConnections;
import org.servicetokens.sidecar.http.StrictRequestDecoder;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.login.BrowserLogin;
import org.servicetokens.sidecar.login.LoginCallback;
import org.servicetokens.sidecar.pipeline.AccessDecision;
import org.servicetokens.sidecar.pipeline.AccessLog;
import org.servicetokens.sidecar.pipeline.Answers;
import org.servicetokens.sidecar.pipeline.ProtectedResource;
import org.servicetokens.sidecar.pipeline.Refusals;
import org.servicetokens.sidecar.pipeline.RequestContext;
import org.servicetokens.sidecar.pipeline.RequestPipeline;
import org.servicetokens.sidecar.pipeline.RequestScreen;
import org.servicetokens.sidecar.policy.PathNormalizer;
import org.servicetokens.sidecar.session.SessionServices;
import org.servicetokens.sidecar.upstream.UpstreamProxy;
import org.servicetokens.sidecar.util.ClientAddresses;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * One event loop's share of the sidecar: its own HTTP server (the port is shared by Vert.x across
 * instances), JWT verifier (each key's Signature sits behind a lock, so one verifier per event loop; the cache of
 * verified tokens behind them is shared) and upstream client; everything else comes from {@link Shared}.
 */
final class SidecarVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(SidecarVerticle.class.getName());
    private static final int LOGOUT_BODY_LIMIT = 64 * 1024;
    /** The logout form carries one CSRF token. */
    private static final int LOGOUT_FORM_LIMIT = 4 * 1024;

    private final Shared shared;
    private HttpServer server;
    private UpstreamProxy upstream;
    private ClientConnections.Guard guard;

    SidecarVerticle(Shared shared) {
        this.shared = shared;
    }

    @Override
    public Future<?> start() {
        var config = shared.config();
        JwtVerifier verifier = new JwtVerifier(
                vertx,
                shared.provider(),
                config.app.clientId,
                config.keycloak.leeway.toSeconds(),
                shared.verifiedTokens(),
                config.revocation.retention.toSeconds());
        IdentityHeaders identityHeaders = new IdentityHeaders(config);
        upstream = new UpstreamProxy(vertx, config.upstream, shared.metrics(), identityHeaders);
        SessionServices sessions = shared.sessions();
        BrowserLogin login = new BrowserLogin(shared.provider(), shared.logins(), config);
        SessionCredentials sessionCookie = request -> {
            String id = sessions.cookies().sessionId(request);
            return id == null ? null : new Credential.Session(id);
        };
        // The authentication extension point, chained in this one place: the first authenticator that recognises the
        // request's credential decides.
        AccessTokenCheck accessTokens = new AccessTokenCheck(verifier, shared.revocations());
        AuthenticatorChain authenticators = new AuthenticatorChain(List.of(
                new BearerTokenAuthenticator(accessTokens),
                new ServiceTokenAuthenticator(shared.grants(), accessTokens),
                new SessionCookieAuthenticator(
                        accessTokens,
                        sessions.store(),
                        sessions.refresher(),
                        shared.revocations(),
                        sessions.cookies(),
                        config.sessions.refreshBeforeExpiry.toSeconds())));
        CredentialExtractor extractor = new CredentialExtractor(config.credentials, sessionCookie);
        ProtectedResource resource = new ProtectedResource(config);
        Refusals refusals = new Refusals(login, config.app.clientId, resource);
        ClientAddresses clientAddresses = new ClientAddresses(config.listen.trustedProxies);
        // One judgement, two front doors: the proxy forwards what it allows, forward-auth answers 200 for its proxy.
        AccessDecision decision =
                new AccessDecision(extractor, authenticators, shared.policy(), identityHeaders, clientAddresses);
        RequestPipeline pipeline = new RequestPipeline(decision, upstream, refusals);
        IdentityEndpoint identity = new IdentityEndpoint(extractor, authenticators, refusals, clientAddresses);
        LoginCallback callback = new LoginCallback(
                sessions.store(),
                sessions.cookies(),
                shared.logins(),
                sessions.tokens(),
                verifier,
                config.app.clientId,
                config.keycloak.leeway.toSeconds());
        LogoutEndpoint logoutPage =
                new LogoutEndpoint(shared.provider(), sessions.store(), sessions.cookies(), login, config);
        BackchannelLogoutHandler logout = new BackchannelLogoutHandler(
                verifier,
                shared.revocations(),
                shared.caches().logoutJtis(),
                shared.grants(),
                shared.metrics(),
                config.app.clientId,
                config.revocation.maxTokenAge.toSeconds(),
                config.keycloak.leeway.toSeconds());
        AccessLog accessLog = new AccessLog(shared.metrics(), config.accessLog.enabled);
        RequestScreen screen = new RequestScreen(config.listen.methods, accessLog);
        ForwardAuthEndpoint forwardAuth = new ForwardAuthEndpoint(
                new ForwardedRequest(config.forwardAuth),
                screen,
                decision,
                identityHeaders,
                refusals,
                config.listen.publicUrl);

        Router router = Router.router(vertx);
        router.route().handler(accessLog::begin);
        router.post(SidecarPaths.BACKCHANNEL_LOGOUT)
                .handler(BodyHandler.create(false).setBodyLimit(LOGOUT_BODY_LIMIT))
                .handler(logout);
        router.get(SidecarPaths.IDENTITY).handler(identity::handle);
        router.get(SidecarPaths.CALLBACK).handler(callback);
        router.get(SidecarPaths.LOGIN).handler(login::explicit);
        router.get(SidecarPaths.LOGOUT).handler(logoutPage::confirm);
        router.post(SidecarPaths.LOGOUT)
                .handler(BodyHandler.create(false).setBodyLimit(LOGOUT_FORM_LIMIT))
                .handler(logoutPage::logout);
        router.get(SidecarPaths.LOGGED_OUT).handler(logoutPage::loggedOut);
        // Any method: Envoy's ext_authz asks with the original one (the others with GET); the method judged is the
        // one the proxy names in its headers.
        router.route(SidecarPaths.FORWARD_AUTH).handler(forwardAuth::forwardAuth);
        // Envoy appends the original path to its path_prefix; the target judged is still the forwarded header's.
        router.route(SidecarPaths.FORWARD_AUTH + "/*").handler(forwardAuth::forwardAuth);
        router.route(SidecarPaths.AUTH_REQUEST).handler(forwardAuth::authRequest);
        if (resource.enabled()) {
            router.route(resource.metadataPath())
                    .method(HttpMethod.GET)
                    .method(HttpMethod.HEAD)
                    .handler(new ProtectedResourceMetadata(resource, config)::handle);
        }
        router.route(SidecarPaths.ALL).handler(ctx -> {
            ctx.put(AccessLog.DECISION, "deny").put(AccessLog.REASON, "unknown_endpoint");
            Answers.refuse(ctx, 404, "not_found", "unknown_endpoint");
        });
        // Nothing the router itself refuses (bad body, 405…) may turn into a 5xx or an HTML page.
        router.errorHandler(500, ctx -> {
            ctx.put(AccessLog.DECISION, "error").put(AccessLog.REASON, "internal");
            Answers.refuse(ctx, 500, "server_error", "internal");
        });
        router.errorHandler(413, ctx -> Answers.refuse(ctx, 413, "bad_request", "body_too_large"));
        router.errorHandler(400, ctx -> Answers.refuse(ctx, 400, "bad_request", "malformed_request"));

        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.listen.host)
                .setPort(config.listen.port)
                .setMaxHeaderSize(config.listen.maxHeaderSize)
                // 100 Continue only once a request is allowed (RequestPipeline); h2c only when configured.
                .setHandle100ContinueAutomatically(false)
                .setHttp2ClearTextEnabled(config.listen.h2c)
                .setCompressionSupported(false)
                .setIdleTimeout((int) config.listen.idleTimeout.toSeconds());
        org.servicetokens.sidecar.tls.ListenerTls.apply(options, config.listen.tls);
        guard = shared.connections().guard(vertx);
        guard.start();
        return vertx.createHttpServer(options)
                // Vert.x's HTTP/1.x decoder reads some framings leniently (a Content-Length next to a Transfer-Encoding
                // is
                // dropped, chunk extensions and odd versions pass): each connection gets the strict one first. Then the
                // guard counts it and times its request heads (with h2c on, Vert.x announces a connection only once its
                // first request head is complete).
                .connectionHandler(connection -> {
                    StrictRequestDecoder.install(connection, options);
                    guard.opened(connection);
                })
                .invalidRequestHandler(screen::invalidRequest)
                .requestHandler(request -> {
                    if (guard.request(request) && screen.admit(request)) {
                        dispatch(request, router, pipeline, accessLog, resource);
                    }
                })
                .listen()
                .onSuccess(s -> {
                    server = s;
                    shared.boundPort(s.actualPort());
                    org.servicetokens.sidecar.tls.ListenerTls.watch(vertx, s, config.listen.tls);
                });
    }

    /**
     * The sidecar's own endpoints, spelt canonically, go through the router; everything else, the proxied
     * traffic, straight into the pipeline, which normalises the path itself (so {@code /.sidecar/../admin} is
     * judged as {@code /admin}, and {@code /.sidecar} paths spelt any other way are refused).
     */
    private static void dispatch(
            HttpServerRequest request,
            Router router,
            RequestPipeline pipeline,
            AccessLog accessLog,
            ProtectedResource resource) {
        String raw = request.path();
        boolean endpoint = raw != null
                && raw.startsWith(SidecarPaths.PREFIX)
                && PathNormalizer.isAlreadyCanonical(raw.substring(SidecarPaths.PREFIX.length() - 1));
        // RFC 9728 fixes the metadata's path: a GET (or HEAD) of exactly that spelling is answered here, anything else
        // is the app's and judged as usual.
        endpoint |= resource.enabled()
                && resource.metadataPath().equals(raw)
                && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
        if (endpoint) {
            router.handle(request);
            return;
        }
        RequestContext context = accessLog.begin(request);
        try {
            pipeline.handle(context);
        } catch (RuntimeException e) {
            // Fail closed, and as JSON, like the router's error handler: nothing reached the upstream unanswered.
            LOG.log(Level.SEVERE, "unexpected failure in the request pipeline", e);
            context.decided("error", "internal");
            Answers.refuse(context, 500, "server_error", "internal");
        }
    }

    @Override
    public Future<?> stop() {
        if (guard != null) {
            guard.stop();
        }
        Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
        return closing.eventually(() -> upstream == null ? Future.succeededFuture() : upstream.close());
    }
}

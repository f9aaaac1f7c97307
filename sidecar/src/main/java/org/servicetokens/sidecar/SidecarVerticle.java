package org.servicetokens.sidecar;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.credentials.CredentialExtractor;
import org.servicetokens.sidecar.credentials.SessionCredentials;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.policy.PathNormalizer;
import org.servicetokens.sidecar.revocation.BackchannelLogoutHandler;
import org.servicetokens.sidecar.session.SessionAuthenticator;
import org.servicetokens.sidecar.session.SessionServices;
import org.servicetokens.sidecar.upstream.UpstreamProxy;
import org.servicetokens.sidecar.web.AccessLog;
import org.servicetokens.sidecar.web.Answers;
import org.servicetokens.sidecar.web.BrowserLogin;
import org.servicetokens.sidecar.web.ClientConnections;
import org.servicetokens.sidecar.web.Exchange;
import org.servicetokens.sidecar.web.LoginCallback;
import org.servicetokens.sidecar.web.LogoutEndpoint;
import org.servicetokens.sidecar.web.RequestPipeline;
import org.servicetokens.sidecar.web.RequestScreen;
import org.servicetokens.sidecar.web.StrictRequestDecoder;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One event loop's share of the sidecar: its own HTTP server (the port is shared by Vert.x across
 * instances), JWT verifier (each key's Signature sits behind a lock, so one verifier per event loop) and upstream client; everything else comes from {@link Shared}.
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
    JwtVerifier verifier = new JwtVerifier(vertx, shared.provider(), config.app.clientId,
        config.keycloak.leeway.toSeconds(), config.tokens.verifiedCacheSize, config.revocation.retention.toSeconds());
    IdentityHeaders identityHeaders = new IdentityHeaders(config);
    upstream = new UpstreamProxy(vertx, config.upstream, shared.metrics(), identityHeaders);
    SessionServices sessions = shared.sessions();
    BrowserLogin login = new BrowserLogin(shared.provider(), sessions.logins(), config);
    SessionCredentials sessionCookie = request -> {
      String id = sessions.cookies().sessionId(request);
      return id == null ? null : new Credential.Session(id);
    };
    RequestPipeline pipeline = new RequestPipeline(
        new CredentialExtractor(config.credentials, sessionCookie),
        shared.policy(),
        identityHeaders,
        verifier,
        shared.exchanger(),
        shared.revocations(),
        upstream,
        login,
        config.app.clientId,
        new SessionAuthenticator(verifier, sessions.store(), sessions.refresher(), shared.revocations(),
            config.sessions.refreshBeforeExpiry.toSeconds()),
        sessions.cookies());
    LoginCallback callback = new LoginCallback(sessions.store(), sessions.cookies(), sessions.logins(), sessions.tokens(),
        verifier, config.app.clientId, config.keycloak.leeway.toSeconds());
    LogoutEndpoint logoutPage = new LogoutEndpoint(shared.provider(), sessions.store(), sessions.cookies(), login, config);
    BackchannelLogoutHandler logout = new BackchannelLogoutHandler(verifier, shared.revocations(),
        shared.caches().logoutJtis(), shared.exchanger(), shared.metrics(), config.app.clientId,
        config.revocation.maxTokenAge.toSeconds(), config.keycloak.leeway.toSeconds());
    AccessLog accessLog = new AccessLog(shared.metrics(), config.accessLog.enabled);

    Router router = Router.router(vertx);
    router.route().handler(accessLog::begin);
    router.post("/.sidecar/backchannel-logout")
        .handler(BodyHandler.create(false).setBodyLimit(LOGOUT_BODY_LIMIT))
        .handler(logout);
    router.get("/.sidecar/identity").handler(pipeline::identity);
    router.get(BrowserLogin.CALLBACK_PATH).handler(callback);
    router.get("/.sidecar/login").handler(login::explicit);
    router.get(LogoutEndpoint.PATH).handler(logoutPage::confirm);
    router.post(LogoutEndpoint.PATH)
        .handler(BodyHandler.create(false).setBodyLimit(LOGOUT_FORM_LIMIT))
        .handler(logoutPage::logout);
    router.get(LogoutEndpoint.LOGGED_OUT_PATH).handler(logoutPage::loggedOut);
    router.route("/.sidecar/*").handler(ctx -> {
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
    RequestScreen screen = new RequestScreen(config.listen.methods, accessLog);
    guard = shared.connections().guard(vertx);
    guard.start();
    return vertx.createHttpServer(options)
        // Vert.x's HTTP/1.x decoder reads some framings leniently (a Content-Length next to a Transfer-Encoding is
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
            dispatch(request, router, pipeline, accessLog);
          }
        })
        .listen()
        .onSuccess(s -> {
          server = s;
          shared.boundPort(s.actualPort());
        });
  }

  /**
   * The sidecar's own endpoints, spelt canonically, go through the router; everything else, the proxied
   * traffic, straight into the pipeline, which normalises the path itself (so {@code /.sidecar/../admin} is
   * judged as {@code /admin}, and {@code /.sidecar} paths spelt any other way are refused).
   */
  private static void dispatch(HttpServerRequest request, Router router, RequestPipeline pipeline,
                               AccessLog accessLog) {
    String raw = request.path();
    boolean endpoint = raw != null && raw.startsWith(RequestPipeline.RESERVED_PREFIX)
        && PathNormalizer.isAlreadyCanonical(raw.substring(RequestPipeline.RESERVED_PREFIX.length() - 1));
    if (endpoint) {
      router.handle(request);
      return;
    }
    Exchange exchange = accessLog.begin(request);
    try {
      pipeline.handle(exchange);
    } catch (RuntimeException e) {
      // Fail closed, and as JSON, like the router's error handler: nothing reached the upstream unanswered.
      LOG.log(Level.SEVERE, "unexpected failure in the request pipeline", e);
      exchange.decided("error", "internal");
      Answers.refuse(exchange, 500, "server_error", "internal");
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

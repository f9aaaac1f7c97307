package org.servicetokens.sidecar.web;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.credentials.CredentialException;
import org.servicetokens.sidecar.credentials.CredentialExtractor;
import org.servicetokens.sidecar.exchange.ExchangeFailure;
import org.servicetokens.sidecar.exchange.TokenExchanger;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.jwt.TokenRejected;
import org.servicetokens.sidecar.policy.Access;
import org.servicetokens.sidecar.policy.PathNormalizer;
import org.servicetokens.sidecar.policy.Policy;
import org.servicetokens.sidecar.revocation.RevocationStore;
import org.servicetokens.sidecar.session.SessionAuthenticator;
import org.servicetokens.sidecar.session.SessionCookies;
import org.servicetokens.sidecar.upstream.UpstreamProxy;
import org.servicetokens.sidecar.util.Contexts;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One request, one pipeline (after {@link RequestScreen} checked method, Host and header values): pause →
 * normalise path → read credential → policy → strip headers → authenticate (verify JWT, or exchange ID+secret
 * then verify) → revocation → authorise → identity headers → 100 Continue if expected → forward. Every refusal
 * is answered here with its status and a reason code, and nothing refused ever reaches the upstream. The request
 * stays paused across the asynchronous steps (vertx-http-proxy loses a body that arrived before it was handed the
 * request) and is resumed by the proxy's body pipe, or by the refusal.
 */
public final class RequestPipeline {

  private static final Logger LOG = Logger.getLogger(RequestPipeline.class.getName());
  /** The sidecar's own endpoints live under this prefix; the app never sees a request for it. */
  public static final String RESERVED_PREFIX = "/.sidecar/";

  private final CredentialExtractor extractor;
  private final Policy policy;
  private final IdentityHeaders identityHeaders;
  private final JwtVerifier verifier;
  private final TokenExchanger exchanger;
  private final RevocationStore revocations;
  private final UpstreamProxy upstream;
  private final LoginFlow login;
  private final String realm;
  private final SessionAuthenticator sessions;
  private final SessionCookies cookies;

  public RequestPipeline(CredentialExtractor extractor, Policy policy, IdentityHeaders identityHeaders,
                         JwtVerifier verifier, TokenExchanger exchanger, RevocationStore revocations,
                         UpstreamProxy upstream, LoginFlow login, String realm,
                         SessionAuthenticator sessions, SessionCookies cookies) {
    this.extractor = extractor;
    this.policy = policy;
    this.identityHeaders = identityHeaders;
    this.verifier = verifier;
    this.exchanger = exchanger;
    this.revocations = revocations;
    this.upstream = upstream;
    this.login = login;
    this.realm = realm;
    this.sessions = sessions;
    this.cookies = cookies;
  }

  /** Every request outside {@code /.sidecar/*}: the server hands it here directly, not through the router. */
  public void handle(Exchange ctx) {
    HttpServerRequest request = ctx.request();
    request.pause();
    String path;
    try {
      path = PathNormalizer.normalize(request.path());
    } catch (PathNormalizer.AmbiguousPathException e) {
      deny(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    ctx.path(path);
    if (path.startsWith(RESERVED_PREFIX) || path.equals("/.sidecar")) {
      deny(ctx, 404, "not_found", "reserved_path");
      return;
    }
    Credential credential;
    try {
      credential = extractor.extract(request);
    } catch (CredentialException e) {
      refuseCredential(ctx, e);
      return;
    }
    Access access = policy.decide(request.method(), path);
    if (credential == null && !access.isPublic()) {
      // Before the strip: a login start reads this browser's pending-login cookies (nothing is forwarded here).
      unauthenticated(ctx);
      return;
    }
    identityHeaders.strip(request.headers());
    if (access.isPublic()) {
      forward(ctx, path, null, "public", "public_path");
      return;
    }
    authenticate(credential).onComplete(ar -> {
      if (ar.failed()) {
        refuseFailure(ctx, credential, ar.cause(), true);
      } else if (!access.allows(ar.result())) {
        ctx.identified(ar.result());
        deny(ctx, 403, "forbidden", "policy");
      } else {
        forward(ctx, path, ar.result(), "allow", credential.kind());
      }
    });
  }

  /** {@code Expect: 100-continue} on HTTP/1.1 or HTTP/2 (an HTTP/1.0 server must ignore it, RFC 9110 §10.1.1). */
  private static boolean expectsContinue(HttpServerRequest request) {
    String expect = request.getHeader(HttpHeaders.EXPECT);
    return expect != null && request.version() != io.vertx.core.http.HttpVersion.HTTP_1_0
        && expect.equalsIgnoreCase("100-continue");
  }

  /** {@code GET /.sidecar/identity}: the caller's identity as JSON, through the same authentication. */
  public void identity(RoutingContext routed) {
    Exchange ctx = Exchange.of(routed);
    ctx.request().pause();
    Credential credential;
    try {
      credential = extractor.extract(ctx.request());
    } catch (CredentialException e) {
      refuseCredential(ctx, e);
      return;
    }
    if (credential == null) {
      unauthorized(ctx, "no_credentials", false);
      return;
    }
    authenticate(credential).onComplete(ar -> {
      if (ar.failed()) {
        refuseFailure(ctx, credential, ar.cause(), false);
        return;
      }
      Identity id = ar.result();
      ctx.identified(id).decided("allow", "identity");
      ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
          .end(new JsonObject()
              .put("type", id.type().wireName())
              .put("subject", id.subject())
              .put("username", id.username())
              .put("email", id.email())
              .put("clientId", id.clientId())
              .put("tokenId", id.tokenId())
              .put("tokenName", id.tokenName())
              .put("roles", new JsonArray(id.roles()))
              .put("clientRoles", new JsonObject(new java.util.HashMap<>(id.clientRoles())))
              .put("groups", new JsonArray(id.groups()))
              .put("expiresAt", id.expiresAt())
              .encode());
      ctx.request().resume();
    });
  }

  private Future<Identity> authenticate(Credential credential) {
    if (credential instanceof Credential.Bearer bearer) {
      return verifier.verifyAccessToken(bearer.token()).compose(id -> {
        if (revocations.isRevoked(id)) {
          verifier.forget(bearer.token());
          return Future.failedFuture(new TokenRejected("revoked"));
        }
        return Future.succeededFuture(id);
      });
    }
    if (credential instanceof Credential.ClientSecret cs) {
      return exchangeAndVerify(cs, true).map(id -> id.withType(Identity.Type.SERVICE));
    }
    if (credential instanceof Credential.Session session) {
      return sessions.authenticate(session.sessionId());
    }
    return Future.failedFuture(new TokenRejected("unsupported_credential"));
  }

  /** A cached exchange found revoked is evicted and exchanged once more: Keycloak decides if the secret still works. */
  private Future<Identity> exchangeAndVerify(Credential.ClientSecret cs, boolean retry) {
    Context context = io.vertx.core.Vertx.currentContext();
    return Contexts.on(context, exchanger.exchange(cs.clientId(), cs.secret()))
        .compose(token -> verifier.verifyAccessToken(token).compose(id -> {
          if (!revocations.isRevoked(id)) {
            return Future.succeededFuture(id);
          }
          verifier.forget(token);
          return Contexts.on(context, exchanger.evict(cs.clientId(), cs.secret())).transform(ar ->
              retry ? exchangeAndVerify(cs, false) : Future.failedFuture(new TokenRejected("revoked")));
        }));
  }

  private void refuseFailure(Exchange ctx, Credential credential, Throwable cause, boolean mayLogIn) {
    if (credential instanceof Credential.Session && cause instanceof TokenRejected r && !r.unavailable()) {
      // The session is over (logged out, expired, refresh refused): forget the cookie, and treat the request
      // as one without credentials: a navigation logs in again, anything else gets 401 JSON.
      ctx.response().headers().add("Set-Cookie", cookies.clearSession());
      if (mayLogIn && isBrowserNavigation(ctx.request())) {
        login.start(ctx);
      } else {
        unauthorized(ctx, r.reason(), false);
      }
      return;
    }
    if (cause instanceof ExchangeFailure f) {
      if (f.status() == 503 || f.status() == 429) {
        ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, f.retryAfterSeconds())));
        deny(ctx, f.status(), f.status() == 503 ? "temporarily_unavailable" : "too_many_requests", f.reason());
      } else {
        unauthorized(ctx, f.reason(), true);
      }
    } else if (cause instanceof TokenRejected r) {
      if (r.unavailable()) {
        ctx.response().putHeader("Retry-After", "5");
        deny(ctx, 503, "temporarily_unavailable", r.reason());
      } else if (credential instanceof Credential.ClientSecret && r.reason().equals("wrong_audience")) {
        // Keycloak authenticated the service token, but it is not allowed for this app: forbidden, not unknown.
        deny(ctx, 403, "forbidden", "not_allowed_for_app");
      } else {
        unauthorized(ctx, r.reason(), true);
      }
    } else {
      LOG.log(Level.SEVERE, "unexpected failure while authenticating", cause);
      deny(ctx, 500, "server_error", "internal");
    }
  }

  /** 400 for a credential that reads two ways, 401 (with its challenge) for one that cannot be valid. */
  private void refuseCredential(Exchange ctx, CredentialException e) {
    if (e.status() == 401) {
      unauthorized(ctx, e.reason(), true);
    } else {
      deny(ctx, e.status(), "bad_request", e.reason());
    }
  }

  private void unauthenticated(Exchange ctx) {
    if (isBrowserNavigation(ctx.request())) {
      login.start(ctx);
    } else {
      unauthorized(ctx, "no_credentials", false);
    }
  }

  /** GET/HEAD asking for HTML, not an XHR: a person at a browser, who should see the login page. */
  static boolean isBrowserNavigation(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      return false;
    }
    String accept = request.getHeader("Accept");
    return accept != null && accept.toLowerCase().contains("text/html") && request.getHeader("X-Requested-With") == null;
  }

  private void unauthorized(Exchange ctx, String reason, boolean tokenPresented) {
    String challenge = "Bearer realm=\"" + realm + "\"" + (tokenPresented ? ", error=\"invalid_token\"" : "");
    ctx.response().putHeader("WWW-Authenticate", challenge);
    deny(ctx, 401, tokenPresented ? "invalid_token" : "unauthorized", reason);
  }

  private void deny(Exchange ctx, int status, String error, String reason) {
    ctx.decided(status >= 500 ? "error" : "deny", reason);
    Answers.refuse(ctx, status, error, reason);
  }

  /**
   * The server does not answer {@code Expect: 100-continue} itself: the client hears 100 here, once the request is
   * authenticated and allowed, and sends its body; a refusal before this point is the final answer (and
   * {@link Answers#refuse} closes the connection, the body never read). The app is not asked again.
   */
  private void forward(Exchange ctx, String path, Identity identity, String decision, String reason) {
    if (identity != null) {
      ctx.identified(identity);
    }
    ctx.decided(decision, reason);
    HttpServerRequest request = ctx.request();
    if (expectsContinue(request)) {
      ctx.response().writeContinue();
    }
    request.headers().remove(HttpHeaders.EXPECT);
    upstream.forward(request, path, identity);
  }
}

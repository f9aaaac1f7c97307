package org.servicetokens.sidecar.pipeline;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.servicetokens.sidecar.authentication.Authenticator;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.credentials.CredentialException;
import org.servicetokens.sidecar.credentials.CredentialExtractor;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.policy.Access;
import org.servicetokens.sidecar.policy.PathNormalizer;
import org.servicetokens.sidecar.policy.Policy;
import org.servicetokens.sidecar.upstream.UpstreamProxy;
import org.servicetokens.sidecar.util.ClientAddresses;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * One request, one pipeline (after {@link RequestScreen} checked method, Host and header values): pause →
 * normalise path → read credential → policy → client address (trusted front proxies) → strip headers → authenticate (the {@link Authenticator} chain:
 * verify a JWT, or obtain one for a service token's ID and secret, or load a browser session; then the revocation
 * check) → allowed networks of a service token → authorise → identity headers → 100 Continue if expected → forward. Every refusal is answered here
 * ({@link Refusals}) with its status and a reason code, and nothing refused ever reaches the upstream. The request
 * stays paused across the asynchronous steps (vertx-http-proxy loses a body that arrived before it was handed the
 * request) and is resumed by the proxy's body pipe, or by the refusal.
 */
public final class RequestPipeline {

  private final CredentialExtractor extractor;
  private final Authenticator authenticators;
  private final Policy policy;
  private final IdentityHeaders identityHeaders;
  private final UpstreamProxy upstream;
  private final Refusals refusals;
  private final ClientAddresses clientAddresses;

  /**
   * @param extractor       reads the one credential a request carries
   * @param authenticators  turns it into an identity (normally an {@link org.servicetokens.sidecar.authentication.AuthenticatorChain})
   * @param policy          decides what each identity may reach
   * @param identityHeaders strips the reserved headers from the request, and writes the identity headers
   * @param upstream        the app
   * @param refusals        how refused requests are answered
   * @param clientAddresses  whose {@code X-Forwarded-For} is believed when judging a token's allowed networks
   */
  public RequestPipeline(CredentialExtractor extractor, Authenticator authenticators, Policy policy,
                         IdentityHeaders identityHeaders, UpstreamProxy upstream, Refusals refusals,
                         ClientAddresses clientAddresses) {
    this.clientAddresses = clientAddresses;
    this.extractor = extractor;
    this.authenticators = authenticators;
    this.policy = policy;
    this.identityHeaders = identityHeaders;
    this.upstream = upstream;
    this.refusals = refusals;
  }

  /** Every request outside {@code /.sidecar/*}: the server hands it here directly, not through the router. */
  public void handle(RequestContext ctx) {
    HttpServerRequest request = ctx.request();
    request.pause();
    String path;
    try {
      path = PathNormalizer.normalize(request.path());
    } catch (PathNormalizer.AmbiguousPathException e) {
      refusals.deny(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    ctx.path(path);
    if (SidecarPaths.isReserved(path)) {
      refusals.deny(ctx, 404, "not_found", "reserved_path");
      return;
    }
    Credential credential;
    try {
      credential = extractor.extract(request);
    } catch (CredentialException e) {
      refusals.credential(ctx, e);
      return;
    }
    Access access = policy.decide(request.method(), path);
    if (credential == null && !access.isPublic()) {
      // Before the strip: a login start reads this browser's pending-login cookies (nothing is forwarded here).
      refusals.unauthenticated(ctx);
      return;
    }
    // Before the strip, which removes every X-Forwarded-For the client sent: a trusted front proxy's is read here.
    byte[] clientAddress = clientAddresses.resolve(
        request.connection() == null || request.connection().remoteAddress() == null ? null
            : request.connection().remoteAddress().hostAddress(),
        request.headers().getAll("X-Forwarded-For"));
    Credential presented = credential instanceof Credential.ClientSecret secret
        ? secret.from(ClientAddresses.text(clientAddress)) : credential;
    identityHeaders.strip(request.headers());
    if (access.isPublic()) {
      forward(ctx, path, null, "public", "public_path");
      return;
    }
    authenticators.authenticate(presented).onComplete(ar -> {
      if (ar.failed()) {
        refusals.failure(ctx, ar.cause(), true);
      } else if (!ar.result().allowsAddress(clientAddress)) {
        // The token's service_token.networks, judged on every request: a cached grant (made for a client at an
        // allowed address) is shared by everyone presenting the same credentials, and a JWT travels.
        ctx.identified(ar.result());
        refusals.deny(ctx, 403, "forbidden", "address_not_allowed");
      } else if (!access.allows(ar.result())) {
        ctx.identified(ar.result());
        refusals.deny(ctx, 403, "forbidden", "policy");
      } else {
        forward(ctx, path, ar.result(), "allow", credential.kind());
      }
    });
  }

  /** {@code Expect: 100-continue} on HTTP/1.1 or HTTP/2 (an HTTP/1.0 server must ignore it, RFC 9110 §10.1.1). */
  private static boolean expectsContinue(HttpServerRequest request) {
    String expect = request.getHeader(HttpHeaders.EXPECT);
    return expect != null && request.version() != HttpVersion.HTTP_1_0
        && expect.equalsIgnoreCase("100-continue");
  }

  /**
   * The server does not answer {@code Expect: 100-continue} itself: the client hears 100 here, once the request is
   * authenticated and allowed, and sends its body; a refusal before this point is the final answer (and
   * {@link Answers#refuse} closes the connection, the body never read). The app is not asked again.
   */
  private void forward(RequestContext ctx, String path, Identity identity, String decision, String reason) {
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

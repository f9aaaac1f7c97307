package org.servicetokens.sidecar.pipeline;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.upstream.UpstreamProxy;

/**
 * One request, one pipeline (after {@link RequestScreen} checked method, Host and header values): pause → the
 * {@link AccessDecision} (normalise path → read credential → policy → strip headers → authenticate through the
 * {@link org.servicetokens.sidecar.authentication.Authenticator} chain → authorise) → identity headers → 100 Continue
 * if expected → forward. Every refusal is answered ({@link Refusals}) with its status and a reason code, and nothing
 * refused ever reaches the upstream. The request stays paused across the asynchronous steps (vertx-http-proxy loses
 * a body that arrived before it was handed the request) and is resumed by the proxy's body pipe, or by the refusal.
 */
public final class RequestPipeline {

    private final AccessDecision decision;
    private final UpstreamProxy upstream;
    private final Refusals refusals;
    private final AccessDecision.Allowed forward = this::forward;

    /**
     * @param decision the judgement, shared with the forward-auth endpoints
     * @param upstream the app
     * @param refusals how refused requests are answered
     */
    public RequestPipeline(AccessDecision decision, UpstreamProxy upstream, Refusals refusals) {
        this.decision = decision;
        this.upstream = upstream;
        this.refusals = refusals;
    }

    /** Every request outside {@code /.sidecar/*}: the server hands it here directly, not through the router. */
    public void handle(RequestContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause();
        decision.decide(ctx, request.path(), false, refusals, forward);
    }

    /** {@code Expect: 100-continue} on HTTP/1.1 or HTTP/2 (an HTTP/1.0 server must ignore it, RFC 9110 §10.1.1). */
    private static boolean expectsContinue(HttpServerRequest request) {
        String expect = request.getHeader(HttpHeaders.EXPECT);
        return expect != null && request.version() != HttpVersion.HTTP_1_0 && expect.equalsIgnoreCase("100-continue");
    }

    /**
     * The server does not answer {@code Expect: 100-continue} itself: the client hears 100 here, once the request is
     * authenticated and allowed, and sends its body; a refusal before this point is the final answer (and
     * {@link Answers#refuse} closes the connection, the body never read). The app is not asked again.
     */
    private void forward(RequestContext ctx, String path, Identity identity, String reason) {
        if (identity != null) {
            ctx.identified(identity);
        }
        ctx.decided(identity == null ? "public" : "allow", reason);
        HttpServerRequest request = ctx.request();
        if (expectsContinue(request)) {
            ctx.response().writeContinue();
        }
        request.headers().remove(HttpHeaders.EXPECT);
        upstream.forward(request, path, identity);
    }
}

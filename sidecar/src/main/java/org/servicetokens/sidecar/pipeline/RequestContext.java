package org.servicetokens.sidecar.pipeline;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.servicetokens.sidecar.identity.Identity;

/**
 * One request as the sidecar's handlers see it: the request, its response, and what the access log will say
 * about it (decision, reason, identity, normalised path). Two shapes: a request to the sidecar's own
 * {@code /.sidecar/*} endpoints, dispatched by a vertx-web router ({@link #of(RoutingContext)}), and every other
 * request, which the server hands straight to the pipeline ({@link AccessLog#begin(HttpServerRequest)}): the
 * router's per-request context costs about as much as the rest of a verified request's own work.
 */
public abstract class RequestContext {

    public abstract HttpServerRequest request();

    public HttpServerResponse response() {
        return request().response();
    }

    /**
     * The method judged: the request's own, or, for a forward-auth call, the original request's that the calling
     * proxy named. Everything that judges or answers a request (policy, browser-navigation test) reads these four,
     * never the HTTP request's own line and Host.
     */
    public HttpMethod method() {
        return request().method();
    }

    /** The request target judged (origin-form, {@code /path?query}): the request's own, or the forwarded one. */
    public String uri() {
        return request().uri();
    }

    /** {@code https} or {@code http}: how the client reached us (or the proxy in front, for forward-auth). */
    public String scheme() {
        return request().isSSL() ? "https" : "http";
    }

    /** The Host the client addressed ({@code host[:port]}, checked by {@link RequestScreen}), or null. */
    public String authority() {
        var authority = request().authority();
        return authority == null ? null : authority.toString();
    }

    /** What happened to the request, for the access log and {@code sidecar_requests_total}. */
    public abstract RequestContext decided(String decision, String reason);

    public abstract RequestContext identified(Identity identity);

    /** The normalised path, logged instead of the raw one. */
    public abstract RequestContext path(String path);

    public static RequestContext of(RoutingContext ctx) {
        return new Routed(ctx);
    }

    /** Notes go into the routing context, where {@link AccessLog#begin(RoutingContext)}'s end handler reads them. */
    private static final class Routed extends RequestContext {

        private final RoutingContext ctx;

        Routed(RoutingContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public HttpServerRequest request() {
            return ctx.request();
        }

        @Override
        public HttpServerResponse response() {
            return ctx.response();
        }

        @Override
        public RequestContext decided(String decision, String reason) {
            ctx.put(AccessLog.DECISION, decision).put(AccessLog.REASON, reason);
            return this;
        }

        @Override
        public RequestContext identified(Identity identity) {
            ctx.put(AccessLog.IDENTITY, identity);
            return this;
        }

        @Override
        public RequestContext path(String path) {
            ctx.put(AccessLog.PATH, path);
            return this;
        }
    }

    /** A request outside the router: plain fields, logged once when its response ends or its connection closes. */
    static final class Direct extends RequestContext {

        private final HttpServerRequest request;
        final long start;
        String decision = "none";
        String reason = "none";
        Identity identity;
        String path;
        private boolean logged;

        Direct(HttpServerRequest request, long start) {
            this.request = request;
            this.start = start;
        }

        @Override
        public HttpServerRequest request() {
            return request;
        }

        @Override
        public RequestContext decided(String decision, String reason) {
            this.decision = decision;
            this.reason = reason;
            return this;
        }

        @Override
        public RequestContext identified(Identity identity) {
            this.identity = identity;
            return this;
        }

        @Override
        public RequestContext path(String path) {
            this.path = path;
            return this;
        }

        /** True the first time only: a response can both end and see its connection close. */
        boolean markLogged() {
            if (logged) {
                return false;
            }
            logged = true;
            return true;
        }
    }
}

package org.servicetokens.sidecar.login;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.servicetokens.sidecar.pipeline.Answers;
import org.servicetokens.sidecar.pipeline.RequestContext;

/**
 * The few HTML pages the sidecar shows itself (logout confirmation, signed out, login failed). Static text plus
 * escaped values, no script; a strict Content-Security-Policy, never framed, never cached.
 */
public final class Pages {

    private Pages() {}

    /**
     * Answers {@code status} with an HTML page: {@code title} as heading, {@code bodyHtml} (already escaped) below it.
     *
     * @param formActions origins a form on the page may submit to, besides 'self' (Chromium applies
     *                    {@code form-action} to the redirects after a submission too: the logout goes on to Keycloak)
     */
    public static void html(RoutingContext ctx, int status, String title, String bodyHtml, String formActions) {
        html(RequestContext.of(ctx), status, title, bodyHtml, formActions);
    }

    public static void html(RequestContext ctx, int status, String title, String bodyHtml, String formActions) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                // Not no-referrer: under that policy Chromium sends "Origin: null" with the logout form's POST.
                .putHeader("Referrer-Policy", "same-origin")
                .putHeader(
                        "Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                                + "frame-ancestors 'none'; form-action 'self'"
                                + (formActions.isEmpty() ? "" : " " + formActions));
        response.end("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>"
                + "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}"
                + "button{font-size:1rem;padding:.5rem 1.25rem}</style></head><body><h1>" + escape(title) + "</h1>"
                + bodyHtml + "</body></html>");
        resume(ctx);
    }

    /** Lets a paused request go on; one whose body a BodyHandler already read must not be resumed (it throws). */
    public static void resume(RoutingContext ctx) {
        resume(RequestContext.of(ctx));
    }

    public static void resume(RequestContext ctx) {
        if (!ctx.request().isEnded()) {
            ctx.request().resume();
        }
    }

    /** A refusal in the form the caller reads: HTML for a browser navigation, the usual JSON otherwise. */
    public static void refuse(RoutingContext ctx, int status, String error, String reason, String message) {
        refuse(RequestContext.of(ctx), status, error, reason, message);
    }

    public static void refuse(RequestContext ctx, int status, String error, String reason, String message) {
        ctx.decided(status >= 500 ? "error" : "deny", reason);
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("text/html")) {
            html(
                    ctx,
                    status,
                    status >= 500 ? "Sign-in is unavailable" : "Sign-in failed",
                    "<p>" + escape(message) + "</p><p><a href=\"/\">Try again</a></p>",
                    "");
        } else if (ctx.request().isEnded()) {
            Answers.json(ctx.response(), status, error, reason);
        } else {
            Answers.refuse(ctx, status, error, reason);
        }
    }

    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}

package org.servicetokens.sidecar.endpoint;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.pipeline.ProtectedResource;
import org.servicetokens.sidecar.pipeline.RequestContext;

/**
 * {@code GET /.well-known/oauth-protected-resource} (RFC 9728 §3): the app's OAuth 2.0 Protected Resource Metadata,
 * public, as JSON (§3.2): {@code resource} (the resource identifier, §2), {@code authorization_servers} (the
 * Keycloak realm's issuer, whose OpenID Connect discovery document is {@code <issuer>/.well-known/openid-configuration}),
 * {@code bearer_methods_supported} = {@code ["header"]} (RFC 6750 §2.1: the sidecar reads bearer tokens from the
 * {@code Authorization} header only), {@code resource_name} and {@code resource_documentation} when configured.
 * Parameters that do not apply are left out (§2: no {@code jwks_uri}, no signed metadata, no scopes, tokens not
 * bound to certificates or DPoP). Served only with {@code resource-metadata.enabled}.
 */
public final class ProtectedResourceMetadata {

    private final ProtectedResource resource;
    private final String issuer;
    private final String name;
    private final String documentation;

    public ProtectedResourceMetadata(ProtectedResource resource, SidecarConfig config) {
        this.resource = resource;
        this.issuer = config.keycloak.issuer;
        this.name = config.resourceMetadata.name;
        this.documentation = config.resourceMetadata.documentation;
    }

    /** The route handler. */
    public void handle(RoutingContext routed) {
        RequestContext ctx = RequestContext.of(routed);
        JsonObject body = new JsonObject()
                .put("resource", resource.resource(ctx))
                .put("authorization_servers", new JsonArray().add(issuer))
                .put("bearer_methods_supported", new JsonArray().add("header"));
        if (!name.isEmpty()) {
            body.put("resource_name", name);
        }
        if (!documentation.isEmpty()) {
            body.put("resource_documentation", documentation);
        }
        ctx.decided("public", "resource_metadata");
        routed.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.encode());
    }
}

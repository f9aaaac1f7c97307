package org.servicetokens.sidecar.pipeline;

import java.net.URI;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * The app as an OAuth 2.0 protected resource (RFC 9728): its resource identifier and where its metadata is.
 * The identifier is {@code resource-metadata.resource}, else {@code listen.public-url}, else the URL the client used
 * (scheme and Host of the request, or the original request's for forward-auth). The metadata URL inserts
 * {@code /.well-known/oauth-protected-resource} between the identifier's host and path (RFC 9728 §3.1):
 * {@code https://app.example.com/api} → {@code https://app.example.com/.well-known/oauth-protected-resource/api}.
 */
public final class ProtectedResource {

    private final boolean enabled;
    /** The configured identifier without a trailing slash, or empty: taken from each request. */
    private final String configured;

    private final String configuredMetadataUrl;
    private final String metadataPath;

    public ProtectedResource(SidecarConfig config) {
        this.enabled = config.resourceMetadata.enabled;
        String r = !config.resourceMetadata.resource.isEmpty()
                ? config.resourceMetadata.resource
                : config.listen.publicUrl;
        this.configured = r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
        if (configured.isEmpty()) {
            this.configuredMetadataUrl = "";
            this.metadataPath = SidecarPaths.PROTECTED_RESOURCE_METADATA;
        } else {
            URI u = URI.create(configured);
            String path = u.getRawPath() == null ? "" : u.getRawPath();
            this.metadataPath = SidecarPaths.PROTECTED_RESOURCE_METADATA + path;
            this.configuredMetadataUrl = u.getScheme() + "://" + u.getRawAuthority() + metadataPath;
        }
    }

    /** Whether the metadata is served and named in 401 challenges ({@code resource-metadata.enabled}). */
    public boolean enabled() {
        return enabled;
    }

    /** The path the metadata is served at (RFC 9728 §3.1). */
    public String metadataPath() {
        return metadataPath;
    }

    /** The resource identifier (RFC 9728 §1.2) for this request. */
    public String resource(RequestContext ctx) {
        return configured.isEmpty() ? origin(ctx) : configured;
    }

    /** The absolute metadata URL for this request, as the {@code resource_metadata} challenge parameter (§5.1). */
    public String metadataUrl(RequestContext ctx) {
        return configured.isEmpty() ? origin(ctx) + metadataPath : configuredMetadataUrl;
    }

    private static String origin(RequestContext ctx) {
        String authority = ctx.authority();
        return ctx.scheme() + "://" + (authority == null ? "localhost" : authority);
    }
}

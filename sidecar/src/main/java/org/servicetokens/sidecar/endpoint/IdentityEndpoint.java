package org.servicetokens.sidecar.endpoint;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import org.servicetokens.sidecar.authentication.Authenticator;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.credentials.CredentialException;
import org.servicetokens.sidecar.credentials.CredentialExtractor;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.pipeline.Refusals;
import org.servicetokens.sidecar.pipeline.RequestContext;
import org.servicetokens.sidecar.util.ClientAddresses;

/**
 * {@code GET /.sidecar/identity}: the caller's identity as JSON ({@code type}, {@code subject}, {@code username},
 * {@code email}, {@code clientId}, {@code tokenId}, {@code tokenName}, {@code roles}, {@code clientRoles},
 * {@code groups}, {@code expiresAt} in epoch seconds), through the same authenticators as proxied requests.
 * Never cached; refusals as for any request, except that no login is offered (an API is asking).
 */
public final class IdentityEndpoint {

    private final CredentialExtractor extractor;
    private final Authenticator authenticators;
    private final Refusals refusals;
    private final ClientAddresses clientAddresses;

    /**
     * @param clientAddresses whose {@code X-Forwarded-For} is believed when judging a token's allowed networks, as for
     *                        proxied requests
     */
    public IdentityEndpoint(
            CredentialExtractor extractor,
            Authenticator authenticators,
            Refusals refusals,
            ClientAddresses clientAddresses) {
        this.extractor = extractor;
        this.authenticators = authenticators;
        this.refusals = refusals;
        this.clientAddresses = clientAddresses;
    }

    /** The route handler. */
    public void handle(RoutingContext routed) {
        RequestContext ctx = RequestContext.of(routed);
        ctx.request().pause();
        Credential credential;
        try {
            credential = extractor.extract(ctx.request());
        } catch (CredentialException e) {
            refusals.credential(ctx, e);
            return;
        }
        if (credential == null) {
            refusals.noCredentials(ctx);
            return;
        }
        // The token's allowed networks hold here as for any request: this endpoint must not tell a client outside them
        // who the credentials belong to, nor make a grant for it.
        byte[] clientAddress = clientAddresses.resolve(ctx.request());
        authenticators
                .authenticate(credential.from(ClientAddresses.text(clientAddress)))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        refusals.failure(ctx, ar.cause(), false);
                        return;
                    }
                    Identity id = ar.result();
                    if (!id.allowsAddress(clientAddress)) {
                        ctx.identified(id);
                        refusals.deny(ctx, 403, "forbidden", "address_not_allowed");
                        return;
                    }
                    ctx.identified(id).decided("allow", "identity");
                    ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .end(new JsonObject()
                                    .put("type", id.type().wireName())
                                    .put("subject", id.subject())
                                    .put("username", id.username())
                                    .put("email", id.email())
                                    .put("clientId", id.clientId())
                                    .put("tokenId", id.tokenId())
                                    .put("tokenName", id.tokenName())
                                    .put("roles", new JsonArray(id.roles()))
                                    .put("clientRoles", new JsonObject(new HashMap<>(id.clientRoles())))
                                    .put("groups", new JsonArray(id.groups()))
                                    .put("expiresAt", id.expiresAt())
                                    .encode());
                    ctx.request().resume();
                });
    }
}

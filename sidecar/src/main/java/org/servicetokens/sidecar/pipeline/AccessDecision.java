package org.servicetokens.sidecar.pipeline;

import io.vertx.core.http.HttpServerRequest;
import org.servicetokens.sidecar.authentication.Authenticator;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.credentials.CredentialException;
import org.servicetokens.sidecar.credentials.CredentialExtractor;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.policy.Access;
import org.servicetokens.sidecar.policy.PathNormalizer;
import org.servicetokens.sidecar.policy.Policy;
import org.servicetokens.sidecar.util.ClientAddresses;
import org.servicetokens.sidecar.util.SidecarPaths;

/**
 * The judgement of one request, shared by the sidecar's two front doors: the proxy ({@link RequestPipeline}, which
 * forwards what is allowed) and the forward-auth endpoints (which answer 200 and let the calling proxy forward).
 * Steps: normalise the path ({@link PathNormalizer}; ambiguous → 400) → the reserved prefix is never judged (404) →
 * read the one credential → policy ({@link Policy}, on {@link RequestContext#method()}, HEAD as GET) → client address
 * (trusted front proxies, {@link ClientAddresses}) → strip the reserved headers → authenticate through the
 * {@link Authenticator} chain (verify a JWT, or obtain one for a service token's ID and secret, or load a browser
 * session; then the revocation check) → allowed networks of a service token → authorise. Every refusal is answered
 * through the {@link Refusals} given; only an allowed request reaches {@link Allowed}. It knows nothing of the
 * upstream: what to do with an allowed request is the caller's.
 */
public final class AccessDecision {

    /** What a front door does with an allowed request. */
    @FunctionalInterface
    public interface Allowed {
        /**
         * @param path     the normalised path that was judged
         * @param identity the verified caller, or null on a {@code public} path
         * @param reason   the credential kind, or {@code public_path}
         */
        void allowed(RequestContext ctx, String path, Identity identity, String reason);
    }

    private final CredentialExtractor extractor;
    private final Authenticator authenticators;
    private final Policy policy;
    private final IdentityHeaders identityHeaders;
    private final ClientAddresses clientAddresses;

    /**
     * @param extractor       reads the one credential a request carries
     * @param authenticators  turns it into an identity (normally an {@link org.servicetokens.sidecar.authentication.AuthenticatorChain})
     * @param policy          decides what each identity may reach
     * @param identityHeaders strips the reserved headers from the request
     * @param clientAddresses whose {@code X-Forwarded-For} is believed when judging a token's allowed networks
     */
    public AccessDecision(
            CredentialExtractor extractor,
            Authenticator authenticators,
            Policy policy,
            IdentityHeaders identityHeaders,
            ClientAddresses clientAddresses) {
        this.clientAddresses = clientAddresses;
        this.extractor = extractor;
        this.authenticators = authenticators;
        this.policy = policy;
        this.identityHeaders = identityHeaders;
    }

    /**
     * Judges {@code ctx} (already paused by the caller) for the raw path {@code rawPath} (without query): answers a
     * refusal through {@code refusals}, or hands the allowed request to {@code allowed}.
     *
     * @param canonicalOnly refuse (400 {@code non_canonical_path}) a path whose normal form differs from it (dot
     *                      segments, {@code //}, encoded unreserved characters, lower-case hex): for forward-auth, where
     *                      the calling proxy forwards the raw path, not the normal form judged here, so the two must be
     *                      the same string
     */
    public void decide(RequestContext ctx, String rawPath, boolean canonicalOnly, Refusals refusals, Allowed allowed) {
        HttpServerRequest request = ctx.request();
        String path;
        try {
            path = PathNormalizer.normalize(rawPath);
        } catch (PathNormalizer.AmbiguousPathException e) {
            refusals.deny(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        ctx.path(path);
        if (canonicalOnly && !path.equals(rawPath)) {
            refusals.deny(ctx, 400, "bad_request", "non_canonical_path");
            return;
        }
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
        Access access = policy.decide(ctx.method(), path);
        if (credential == null && !access.isPublic()) {
            // Before the strip: a login start reads this browser's pending-login cookies (nothing is forwarded here).
            refusals.unauthenticated(ctx);
            return;
        }
        // Before the strip, which removes every X-Forwarded-For the client sent: a trusted front proxy's is read here.
        byte[] clientAddress = clientAddresses.resolve(request);
        Credential presented = credential == null ? null : credential.from(ClientAddresses.text(clientAddress));
        identityHeaders.strip(request.headers());
        if (access.isPublic()) {
            allowed.allowed(ctx, path, null, "public_path");
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
                allowed.allowed(ctx, path, ar.result(), credential.kind());
            }
        });
    }
}

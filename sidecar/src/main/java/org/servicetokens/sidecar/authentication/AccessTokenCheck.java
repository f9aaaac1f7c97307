package org.servicetokens.sidecar.authentication;

import io.vertx.core.Future;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.jwt.JwtVerifier;
import org.servicetokens.sidecar.revocation.RevocationStore;

/**
 * The step every credential ends in: verify the access token ({@link JwtVerifier}: signature, issuer, audience,
 * times, token type), then check it against the shared revocations (back-channel logouts, service-token changes),
 * on every use, cache hits included. A revoked token is forgotten by the verifier's cache, so its next use is
 * checked afresh. One per verticle, like its verifier.
 */
public final class AccessTokenCheck {

    private final JwtVerifier verifier;
    private final RevocationStore revocations;

    public AccessTokenCheck(JwtVerifier verifier, RevocationStore revocations) {
        this.verifier = verifier;
        this.revocations = revocations;
    }

    /**
     * The token's identity; fails with {@link AuthenticationFailure}: the verifier's reasons, or
     * {@value AuthenticationFailure#REVOKED} (401) for a revoked token.
     */
    public Future<Identity> verify(String accessToken) {
        return verifier.verifyAccessToken(accessToken).compose(id -> {
            if (revocations.isRevoked(id)) {
                verifier.forget(accessToken);
                return Future.failedFuture(AuthenticationFailure.rejected(AuthenticationFailure.REVOKED));
            }
            return Future.succeededFuture(id);
        });
    }

    /** Whether {@code failure} is this check's refusal of a revoked token. */
    public static boolean isRevoked(Throwable failure) {
        return failure instanceof AuthenticationFailure f && f.reason().equals(AuthenticationFailure.REVOKED);
    }
}

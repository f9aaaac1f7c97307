package org.servicetokens.sidecar.authentication;

import io.vertx.core.Future;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;

/**
 * How one kind of credential becomes a verified identity: the sidecar's authentication extension point. Each
 * implementation handles one kind ({@link BearerTokenAuthenticator}, {@link ServiceTokenAuthenticator},
 * {@link SessionCookieAuthenticator}); an {@link AuthenticatorChain} asks them in order, and the first that
 * recognises the credential decides. Nothing here knows about proxying: the reverse proxy's pipeline and any other
 * endpoint that must know who is asking use the same chain.
 */
public interface Authenticator {

    /** Whether this authenticator handles {@code credential}'s kind; cheap, no I/O. */
    boolean recognises(Credential credential);

    /**
     * The verified, not revoked identity behind {@code credential}, which {@link #recognises} accepted. Fails with
     * {@link AuthenticationFailure} (which also says how to answer: 401, 403, 429 or 503); any other failure is a bug
     * and answered 500. The future may complete on another context than the caller's.
     */
    Future<Identity> authenticate(Credential credential);
}

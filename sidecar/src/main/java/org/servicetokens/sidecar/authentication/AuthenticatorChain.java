package org.servicetokens.sidecar.authentication;

import io.vertx.core.Future;
import java.util.List;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;

/**
 * Authenticators asked in order; the first that recognises a credential decides, and its answer is final (no
 * fall-through to the next one after a refusal, so a wrong secret can never be retried as another kind). A
 * credential none recognises is refused as {@code unsupported_credential} (401). The model is oauth2-proxy's
 * session-loader chain. Immutable; safe to share within one event loop (the authenticators may hold per-verticle
 * state).
 */
public final class AuthenticatorChain implements Authenticator {

    private final List<Authenticator> chain;

    public AuthenticatorChain(List<Authenticator> chain) {
        this.chain = List.copyOf(chain);
    }

    @Override
    public boolean recognises(Credential credential) {
        return chain.stream().anyMatch(a -> a.recognises(credential));
    }

    @Override
    public Future<Identity> authenticate(Credential credential) {
        for (Authenticator authenticator : chain) {
            if (authenticator.recognises(credential)) {
                return authenticator.authenticate(credential);
            }
        }
        return Future.failedFuture(AuthenticationFailure.rejected("unsupported_credential"));
    }
}

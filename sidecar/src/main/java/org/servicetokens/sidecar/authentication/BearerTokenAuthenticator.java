package org.servicetokens.sidecar.authentication;

import io.vertx.core.Future;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.identity.Identity;

/** {@code Authorization: Bearer <JWT>} (RFC 6750 §2.1): the token is verified and checked for revocation. */
public final class BearerTokenAuthenticator implements Authenticator {

    private final AccessTokenCheck check;

    public BearerTokenAuthenticator(AccessTokenCheck check) {
        this.check = check;
    }

    @Override
    public boolean recognises(Credential credential) {
        return credential instanceof Credential.Bearer;
    }

    @Override
    public Future<Identity> authenticate(Credential credential) {
        return check.verify(((Credential.Bearer) credential).token());
    }
}

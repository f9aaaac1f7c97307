package org.servicetokens.sidecar.authentication;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.servicetokens.sidecar.credentials.Credential;
import org.servicetokens.sidecar.grant.ClientCredentialsGrants;
import org.servicetokens.sidecar.identity.AuthenticationFailure;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.util.Contexts;

/**
 * A service token's client ID and secret (the {@code KC-Access-*}/{@code CF-Access-*} headers or HTTP Basic, RFC
 * 7617): an access token from the client credentials grant (RFC 6749 §4.4, cached), verified and checked for
 * revocation like a bearer token; the identity is always of type {@code service}. A cached token found revoked is
 * evicted and the grant made once more: Keycloak decides whether the secret still works. A token Keycloak issued
 * that is not for this app ({@code wrong_audience}) is 403 {@code not_allowed_for_app}: the service token is
 * known, but not allowed here.
 */
public final class ServiceTokenAuthenticator implements Authenticator {

    private final ClientCredentialsGrants grants;
    private final AccessTokenCheck check;

    public ServiceTokenAuthenticator(ClientCredentialsGrants grants, AccessTokenCheck check) {
        this.grants = grants;
        this.check = check;
    }

    @Override
    public boolean recognises(Credential credential) {
        return credential instanceof Credential.ClientSecret;
    }

    @Override
    public Future<Identity> authenticate(Credential credential) {
        return grantAndVerify((Credential.ClientSecret) credential, true).map(id -> id.withType(Identity.Type.SERVICE));
    }

    private Future<Identity> grantAndVerify(Credential.ClientSecret cs, boolean retry) {
        Context context = Vertx.currentContext();
        return Contexts.on(context, grants.accessToken(cs.clientId(), cs.secret(), cs.clientAddress()))
                .compose(token -> check.verify(token).recover(err -> {
                    if (AccessTokenCheck.isRevoked(err)) {
                        return Contexts.on(context, grants.evict(cs.clientId(), cs.secret()))
                                .transform(ar -> retry ? grantAndVerify(cs, false) : Future.failedFuture(err));
                    }
                    if (err instanceof AuthenticationFailure f && f.reason().equals("wrong_audience")) {
                        return Future.failedFuture(AuthenticationFailure.forbidden("not_allowed_for_app"));
                    }
                    return Future.failedFuture(err);
                }));
    }
}

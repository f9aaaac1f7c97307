package org.servicetokens.sidecar.revocation;

import io.vertx.core.json.JsonObject;
import java.util.logging.Logger;
import org.servicetokens.sidecar.grant.ClientCredentialsGrants;

/**
 * Applies an accepted back-channel logout token to the shared state: revocation records first (so no request can
 * pass between the two steps with a revoked token), then the cached exchanges (and remembered refusals) that must
 * be done afresh. Blocking when clustered: call it off the event loop.
 */
public final class ServiceTokenChanges {

    private static final Logger LOG = Logger.getLogger(ServiceTokenChanges.class.getName());

    private ServiceTokenChanges() {}

    /**
     * Applies one accepted logout token for subject {@code sub}, issued at {@code iat} (epoch seconds).
     *
     * @param notice the provider's {@code service_token} claim, or null for a plain logout token (Keycloak's own):
     *               then every token of {@code sub} issued before {@code iat} is revoked
     */
    public static void apply(
            String sub,
            long iat,
            ServiceTokenNotice notice,
            RevocationStore revocations,
            ClientCredentialsGrants grants) {
        if (notice == null) {
            revocations.revokeSubject(sub, iat);
            int dropped = grants.dropSubject(sub, claims -> true);
            LOG.info("revoked subject " + sub + " before " + iat + "; dropped " + dropped + " cached exchange(s)");
            return;
        }
        int dropped;
        switch (notice.kind()) {
            case SECRET -> {
                revocations.revokeSecrets(sub, notice.secrets(), notice.cutoff());
                // Cached exchanges of the current secret stay: only those minted with a retired one (or naming none)
                // go.
                dropped = grants.dropSubject(sub, claims -> {
                    String secret = secretOf(claims);
                    return secret == null || notice.secrets().contains(secret);
                });
                LOG.info("revoked service-token secret(s) " + notice.secrets() + " of subject " + sub + "; dropped "
                        + dropped + " cached exchange(s)");
            }
            case NONE -> {
                dropped = grants.dropSubject(sub, claims -> true);
                LOG.info("service token of subject " + sub + " changed; dropped " + dropped + " cached exchange(s)");
            }
            default -> {
                revocations.revokeSubject(sub, notice.cutoff());
                revocations.revokeSecrets(sub, notice.secrets(), notice.cutoff());
                dropped = grants.dropSubject(sub, claims -> true);
                LOG.info("revoked every token of subject " + sub + " (before " + notice.cutoff() + " and secrets "
                        + notice.secrets() + "); dropped " + dropped + " cached exchange(s)");
            }
        }
        // A refusal remembered before the change (disabled, expired, not yet allowed) may not hold any more.
        if (notice.clientId() != null) {
            grants.dropFailures(notice.clientId());
        }
    }

    private static String secretOf(JsonObject claims) {
        return claims.getValue(ServiceTokenNotice.CLAIM) instanceof JsonObject st
                        && st.getValue("secret") instanceof String s
                ? s
                : null;
    }
}

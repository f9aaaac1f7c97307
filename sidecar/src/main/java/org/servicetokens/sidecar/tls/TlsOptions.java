package org.servicetokens.sidecar.tls;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Applies a {@link ClientTls} to the options of an HTTP client the sidecar creates (one call where each client is
 * built): the private CA as the only trust when {@code ca-file} is set, hostname verification on. Under the
 * development switch it trusts anything, and says so once per part in the log.
 */
public final class TlsOptions {

    private static final Logger LOG = Logger.getLogger(TlsOptions.class.getName());
    private static final AtomicBoolean WARNED_KEYCLOAK = new AtomicBoolean();
    private static final AtomicBoolean WARNED_UPSTREAM = new AtomicBoolean();

    private TlsOptions() {}

    /** For the clients that call Keycloak (discovery, JWKS, token endpoint, probe). Returns {@code options}. */
    public static <T extends HttpClientOptions> T keycloak(T options, ClientTls tls) {
        return apply(options, tls, "keycloak.tls", WARNED_KEYCLOAK);
    }

    /** For the client that forwards to the application. Returns {@code options}. */
    public static <T extends HttpClientOptions> T upstream(T options, ClientTls tls) {
        return apply(options, tls, "upstream.tls", WARNED_UPSTREAM);
    }

    private static <T extends HttpClientOptions> T apply(
            T options, ClientTls tls, String prefix, AtomicBoolean warned) {
        if (tls.trustAllDevelopmentOnly) {
            if (warned.compareAndSet(false, true)) {
                LOG.warning(
                        prefix + ".trust-all-development-only is on: any certificate is trusted and host names are not "
                                + "verified. Never use this outside development.");
            }
            options.setTrustAll(true).setVerifyHost(false);
            return options;
        }
        options.setVerifyHost(true);
        if (!tls.caFile.isEmpty()) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile));
        }
        return options;
    }
}

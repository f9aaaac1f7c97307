package org.servicetokens.sidecar.tls;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.util.List;

/**
 * Fail-closed checks of the TLS keys at start: a named file that is missing, unreadable or holds no PEM certificate
 * (or key) is a configuration error, never a silent fall-back to the default trust or to plain HTTP.
 */
public final class TlsValidation {

    private TlsValidation() {}

    /**
     * Adds one line to {@code problems} per bad key.
     *
     * @param issuer {@code keycloak.issuer}, to refuse a CA for a Keycloak reached over plain HTTP
     * @param upstreamUrl {@code upstream.url}, likewise
     */
    public static void validate(
            ClientTls keycloak,
            String issuer,
            ClientTls upstream,
            String upstreamUrl,
            ServerTls listen,
            List<String> problems) {
        client("keycloak.tls", keycloak, issuer, "keycloak.issuer", problems);
        client("upstream.tls", upstream, upstreamUrl, "upstream.url", problems);
        if (listen.enabled()) {
            if (listen.certFile.isEmpty() || listen.keyFile.isEmpty()) {
                problems.add("listen.tls: cert-file and key-file must be set together");
            } else {
                certificates("listen.tls.cert-file", listen.certFile, problems);
                privateKey("listen.tls.key-file", listen.keyFile, problems);
            }
            if (listen.reloadInterval == null || listen.reloadInterval.toMillis() < 1000) {
                problems.add("listen.tls.reload-interval: must be at least 1s");
            }
        }
    }

    private static void client(String prefix, ClientTls tls, String url, String urlKey, List<String> problems) {
        if (tls.caFile.isEmpty() && !tls.trustAllDevelopmentOnly) {
            return;
        }
        if (!tls.caFile.isEmpty() && tls.trustAllDevelopmentOnly) {
            problems.add(prefix + ": ca-file and trust-all-development-only exclude each other");
            return;
        }
        if (!isHttps(url)) {
            problems.add(prefix + ": set, but " + urlKey + " is not an https URL");
        }
        if (!tls.caFile.isEmpty()) {
            certificates(prefix + ".ca-file", tls.caFile, problems);
        }
    }

    private static boolean isHttps(String url) {
        try {
            return "https".equals(new URI(url).getScheme());
        } catch (Exception e) {
            return false;
        }
    }

    private static void certificates(String key, String file, List<String> problems) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problems.add(key + ": no readable file at '" + file + "'");
            return;
        }
        try (InputStream in = Files.newInputStream(path)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                problems.add(key + ": '" + file + "' holds no PEM certificate");
            }
        } catch (Exception e) {
            problems.add(key + ": '" + file + "' is not a PEM certificate file ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static void privateKey(String key, String file, List<String> problems) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problems.add(key + ": no readable file at '" + file + "'");
            return;
        }
        try {
            String text = Files.readString(path);
            if (!text.contains("-----BEGIN PRIVATE KEY-----")
                    && !text.contains("-----BEGIN RSA PRIVATE KEY-----")
                    && !text.contains("-----BEGIN EC PRIVATE KEY-----")) {
                problems.add(key + ": '" + file + "' holds no PEM private key");
            }
        } catch (Exception e) {
            problems.add(
                    key + ": '" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}

package org.servicetokens.production.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private CA and one server certificate it signs (for {@code localhost} and {@code 127.0.0.1}, used by both
 * Keycloak nodes and the load balancer), made with the openssl CLI: PEM files as Keycloak, nginx and the sidecar
 * read them.
 */
public final class Pki {

    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;

    private Pki(Path caCert, Path serverCert, Path serverKey) {
        this.caCert = caCert;
        this.serverCert = serverCert;
        this.serverKey = serverKey;
    }

    /** A CA named {@code name} in {@code dir} and a server certificate signed by it. */
    public static Pki create(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path ext = dir.resolve("server.ext");
        Files.writeString(
                ext,
                "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                        + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        Proc.run(
                dir,
                Map.of(),
                60,
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3",
                "-subj",
                "/CN=" + name,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        Proc.run(
                dir,
                Map.of(),
                60,
                "openssl",
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost");
        Proc.run(
                dir,
                Map.of(),
                60,
                "openssl",
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "3",
                "-extfile",
                "server.ext");
        return new Pki(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"));
    }

    /** An SSL context that trusts only this CA. */
    public SSLContext trust() {
        try (InputStream in = Files.newInputStream(caCert)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + caCert, e);
        }
    }
}

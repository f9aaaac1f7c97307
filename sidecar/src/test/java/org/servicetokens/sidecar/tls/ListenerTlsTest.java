package org.servicetokens.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS listener serves the files' certificate and picks up a renewed one without a restart. */
class ListenerTlsTest {

    private final Vertx vertx = Vertx.vertx();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        TlsOptionsTest.await(vertx.close());
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        TestPki ca = new TestPki("Listener CA");
        Listener listener = watchedListener(ca);
        Path cert = listener.cert();
        Path key = listener.key();
        BigInteger first = listener.first();
        HttpServer server = listener.server();
        assertEquals(first, served(server.actualPort()));

        // A renewal writes new files in place (here into temporary files moved over the old ones).
        Path newCert = dir.resolve("new.pem");
        Path newKey = dir.resolve("new.key");
        BigInteger second = ca.issue("localhost", newCert, newKey);
        Files.move(newKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(newCert, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.currentTimeMillis() + 15_000;
        BigInteger now = first;
        while (System.currentTimeMillis() < deadline && !(now = served(server.actualPort())).equals(second)) {
            Thread.sleep(200);
        }
        assertEquals(second, now, "the renewed certificate is served");
    }

    @Test
    void aBrokenRenewalKeepsTheWorkingCertificate() throws Exception {
        TestPki ca = new TestPki("Listener CA");
        Listener listener = watchedListener(ca);
        Path cert = listener.cert();
        BigInteger first = listener.first();
        HttpServer server = listener.server();
        Files.writeString(cert, "not a certificate");
        Thread.sleep(3_500);
        assertEquals(first, served(server.actualPort()), "still the working certificate");
    }

    /** A listening TLS server, its certificate and key files, and the serial number of the certificate it started with. */
    private record Listener(Path cert, Path key, BigInteger first, HttpServer server) {}

    /**
     * Issues a localhost certificate from {@code ca} into tls.pem/tls.key and starts a server on a random port of
     * 127.0.0.1 serving it, its files watched every second.
     */
    private Listener watchedListener(TestPki ca) throws Exception {
        Path cert = dir.resolve("tls.pem");
        Path key = dir.resolve("tls.key");
        BigInteger first = ca.issue("localhost", cert, key);
        ServerTls tls = new ServerTls();
        tls.certFile = cert.toString();
        tls.keyFile = key.toString();
        tls.reloadInterval = Duration.ofSeconds(1);
        HttpServer server = TlsOptionsTest.await(vertx.createHttpServer(ListenerTls.apply(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0), tls))
                .requestHandler(r -> r.response().end("ok"))
                .listen());
        ListenerTls.watch(vertx, server, tls);
        return new Listener(cert, key, first, server);
    }

    /** The serial number of the certificate the server presents (the handshake itself trusts anything). */
    private static BigInteger served(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(
                null,
                new TrustManager[] {
                    new X509TrustManager() {
                        @Override
                        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                        @Override
                        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                        @Override
                        public X509Certificate[] getAcceptedIssuers() {
                            return new X509Certificate[0];
                        }
                    }
                },
                null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}

package org.servicetokens.sidecar.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.logging.Logger;

/**
 * The sidecar's optional TLS listener ({@link ServerTls}): one call turns it on in the server options, one call
 * watches the certificate and key files and swaps them into the running server
 * ({@code HttpServer.updateSSLOptions}) when they change. Connections already open keep their handshake; new ones
 * get the new certificate. A pair that changed is installed only once it reads the same twice in a row (a renewal
 * tool writing the two files one after the other is never caught half-way), and a pair Vert.x cannot load is
 * logged and the old one kept.
 */
public final class ListenerTls {

    private static final Logger LOG = Logger.getLogger(ListenerTls.class.getName());

    private ListenerTls() {}

    /** Turns TLS on in {@code options} when {@code tls} names the files. Returns {@code options}. */
    public static HttpServerOptions apply(HttpServerOptions options, ServerTls tls) {
        if (tls.enabled()) {
            options.setSsl(true).setKeyCertOptions(keyCert(tls));
        }
        return options;
    }

    /** Checks the files every {@code reload-interval}; returns the timer id, or -1 when TLS is off. */
    public static long watch(Vertx vertx, HttpServer server, ServerTls tls) {
        if (!tls.enabled()) {
            return -1;
        }
        byte[][] state = {digest(tls), null}; // installed, last seen
        return vertx.setPeriodic(
                tls.reloadInterval.toMillis(),
                id -> vertx.executeBlocking(() -> digest(tls)).onSuccess(now -> {
                    if (Arrays.equals(now, state[0])) {
                        state[1] = null;
                        return;
                    }
                    if (!Arrays.equals(now, state[1])) {
                        state[1] = now; // changed since the last check: wait until it settles
                        return;
                    }
                    state[0] = now;
                    state[1] = null;
                    server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(keyCert(tls)), true)
                            .onSuccess(updated -> LOG.info("listen.tls: certificate reloaded from " + tls.certFile))
                            .onFailure(
                                    e -> LOG.warning("listen.tls: the changed certificate or key could not be loaded ("
                                            + e.getClass().getSimpleName() + "); the previous one stays in use"));
                }));
    }

    // The files' contents, not their paths: options naming unchanged paths would be taken for the same options.
    private static PemKeyCertOptions keyCert(ServerTls tls) {
        try {
            return new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(Files.readAllBytes(Path.of(tls.certFile))))
                    .setKeyValue(Buffer.buffer(Files.readAllBytes(Path.of(tls.keyFile))));
        } catch (IOException e) {
            throw new IllegalStateException("listen.tls: cannot read the certificate or key file", e);
        }
    }

    private static byte[] digest(ServerTls tls) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(readOrEmpty(tls.certFile));
            sha.update((byte) 0);
            sha.update(readOrEmpty(tls.keyFile));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readOrEmpty(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            return new byte[0];
        }
    }
}

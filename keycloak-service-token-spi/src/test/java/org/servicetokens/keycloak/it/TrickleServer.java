package org.servicetokens.keycloak.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A slow application: accepts every connection, reads the request, then answers one byte of a response head every
 * {@code 200 ms}, forever, and notes how long each connection lasted before the other side gave up.
 */
final class TrickleServer implements AutoCloseable {

    private final ServerSocket socket;
    private final List<Long> heldMillis = new CopyOnWriteArrayList<>();
    private final List<Long> acceptedAtNanos = new CopyOnWriteArrayList<>();

    TrickleServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "trickle-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/backchannel-logout";
    }

    /** How long each finished connection was held before the client closed it. */
    List<Long> heldMillis() {
        return heldMillis;
    }

    /** When each connection was accepted (System.nanoTime). */
    List<Long> acceptedAtNanos() {
        return acceptedAtNanos;
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                acceptedAtNanos.add(System.nanoTime());
                Thread trickle = new Thread(() -> trickle(connection), "trickle");
                trickle.setDaemon(true);
                trickle.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void trickle(Socket connection) {
        long started = System.nanoTime();
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: ".getBytes(StandardCharsets.US_ASCII);
        try (connection;
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream()) {
            connection.setSoTimeout(200);
            byte[] buffer = new byte[8192];
            for (int i = 0; ; i++) {
                try {
                    if (in.read(buffer) < 0) {
                        break;
                    }
                } catch (java.net.SocketTimeoutException quiet) {
                    // nothing more to read now: trickle on
                }
                out.write(i < head.length ? head[i] : 'x');
                out.flush();
            }
        } catch (IOException gone) {
            // the client hung up: that is what we measure
        }
        heldMillis.add((System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

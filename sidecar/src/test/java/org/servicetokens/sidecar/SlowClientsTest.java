package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;

/**
 * Slow clients (issue 11, kind 14) with raw sockets: half a request line is closed within the header timeout, a
 * keep-alive connection that dribbles its next request within the idle timeout, and a flood of connections beyond
 * the cap is closed at once and counted, while real requests are served again as soon as the flood lets go.
 */
class SlowClientsTest {

    @RegisterExtension
    static final Harness h = new Harness(c -> {
        c.listen.headerTimeout = Duration.ofSeconds(1);
        c.listen.idleTimeout = Duration.ofSeconds(2);
        c.listen.maxConnections = 20;
    });

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", h.sidecar.port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Milliseconds until the server closes {@code s} (reads to EOF or reset); what it sent is returned in {@code got}. */
    private static long untilClosed(Socket s, long t0, StringBuilder got) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException reset) {
            // closed with a reset: closed all the same
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static double metric(String series) {
        return Harness.metric(h.management(), series);
    }

    @Test
    void halfARequestLineIsClosedWithinTheHeaderTimeout() throws Exception {
        double before = metric("sidecar_connection_timeouts_total{phase=\"request_head\"}");
        List<Socket> slow = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            Socket s = connect();
            s.getOutputStream().write("GET /slow".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            slow.add(s);
        }
        long slowest = 0;
        for (Socket s : slow) {
            StringBuilder got = new StringBuilder();
            slowest = Math.max(slowest, untilClosed(s, t0, got));
            assertEquals("", got.toString(), "closed without an answer");
            s.close();
        }
        assertTrue(
                slowest < 1000 + 250 + 500, "closed within the 1 s header timeout (+ one sweep): " + slowest + " ms");
        assertTrue(slowest >= 900, "not before the header timeout: " + slowest + " ms");
        assertTrue(metric("sidecar_connection_timeouts_total{phase=\"request_head\"}") >= before + 10);
        System.out.println(
                "10 connections with half a request line closed after at most " + slowest + " ms (header timeout 1 s)");
    }

    @Test
    void aKeepAliveConnectionDribblingItsNextRequestIsClosedWithinTheIdleTimeout() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /public/a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[8192];
            int n = s.getInputStream().read(buf);
            assertTrue(new String(buf, 0, n, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
            long t0 = System.nanoTime();
            // One byte every 400 ms: Vert.x's own idle timeout never fires, the head never completes.
            Thread dribble = new Thread(() -> {
                try {
                    for (char c : "GET /public/b HTTP/1.1\r\nX: yyyyyyyyyyyyyyyyyyy".toCharArray()) {
                        s.getOutputStream().write(c);
                        Thread.sleep(400);
                    }
                } catch (Exception closed) {
                    // the server closed it
                }
            });
            dribble.start();
            long ms = untilClosed(s, t0, new StringBuilder());
            dribble.interrupt();
            assertTrue(ms < 2000 + 500 + 500, "closed within the 2 s idle timeout (+ sweeps): " + ms + " ms");
        }
    }

    @Test
    void aConnectionFloodOverTheCapIsRefusedAndRealUsersAreServedOnceItLetsGo() throws Exception {
        assertEquals(200, h.http.get("/public/warm").status());
        double refusedBefore = metric("sidecar_connections_refused_total");
        List<Socket> flood = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            flood.add(connect());
        }
        Harness.sleep(200);
        double open = metric("sidecar_connections_open");
        assertTrue(open <= 20, "never more than the cap open: " + open);
        assertTrue(
                metric("sidecar_connections_refused_total") - refusedBefore >= 10,
                "the ones beyond the cap were refused");
        for (Socket s : flood) {
            s.close();
        }
        Harness.sleep(200);
        Http.Response r = h.http.raw("GET /public/after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(200, r.status(), "served again once the flood closed");
        System.out.println("Flood of 30 connections over a cap of 20: "
                + (int) (metric("sidecar_connections_refused_total") - refusedBefore) + " refused at once, "
                + (int) open + " open at most; a real request served right after");
    }
}

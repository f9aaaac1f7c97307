import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark helper: a loopback TCP relay that reads the first TLS record each way of every connection (RFC 8446
 * §4.1.2 ClientHello, §4.1.3 ServerHello) and counts how many connections did a full handshake and how many
 * resumed a session (TLS 1.3: the ServerHello carries {@code pre_shared_key}, extension 41; TLS 1.2: the server
 * echoes the client's non-empty session id). Lets bench/token-endpoint.sh show that its "new connection per
 * request" mode really pays a full handshake per request. Bytes are relayed untouched.
 *
 * <p>usage: java bench/TlsHelloProbe.java LISTEN_PORT TARGET_PORT SECONDS, then prints one line:
 * {@code connections=N full=N resumed=N offered_psk=N protocol=TLSv1.3 cipher=0x1302} and exits.
 */
public class TlsHelloProbe {

    static final AtomicInteger CONNECTIONS = new AtomicInteger();
    static final AtomicInteger FULL = new AtomicInteger();
    static final AtomicInteger RESUMED = new AtomicInteger();
    static final AtomicInteger OFFERED_PSK = new AtomicInteger();
    static final Map<String, Integer> NEGOTIATED = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        int listen = Integer.parseInt(args[0]);
        int target = Integer.parseInt(args[1]);
        long until = System.currentTimeMillis() + Long.parseLong(args[2]) * 1000;
        ServerSocket server = new ServerSocket(listen, 512, InetAddress.getLoopbackAddress());
        server.setSoTimeout(200);
        while (System.currentTimeMillis() < until) {
            Socket client;
            try {
                client = server.accept();
            } catch (java.net.SocketTimeoutException idle) {
                continue;
            }
            CONNECTIONS.incrementAndGet();
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            byte[][] clientHello = new byte[1][];
            Thread up = new Thread(() -> relay(client, upstream, true, clientHello));
            Thread down = new Thread(() -> relay(upstream, client, false, clientHello));
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }
        server.close();
        System.out.printf(
                "connections=%d full=%d resumed=%d offered_psk=%d negotiated=%s%n",
                CONNECTIONS.get(), FULL.get(), RESUMED.get(), OFFERED_PSK.get(), NEGOTIATED);
        System.exit(0);
    }

    static void relay(Socket from, Socket to, boolean fromClient, byte[][] clientHello) {
        try (from;
                to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] first = readRecord(new DataInputStream(in));
            out.write(first);
            out.flush();
            if (fromClient) {
                synchronized (clientHello) {
                    clientHello[0] = first;
                    clientHello.notifyAll();
                }
                if (parses(() -> hasExtension(first, 41))) {
                    OFFERED_PSK.incrementAndGet();
                }
            } else {
                byte[] hello;
                synchronized (clientHello) {
                    while (clientHello[0] == null) {
                        clientHello.wait();
                    }
                    hello = clientHello[0];
                }
                parses(() -> judge(hello, first));
            }
            in.transferTo(out);
        } catch (Exception closed) {
            // the peer closed: nothing to relay any more
        }
    }

    /** Runs one look at a hello; a record it cannot parse counts as nothing, and the bytes are still relayed. */
    static boolean parses(java.util.function.BooleanSupplier look) {
        try {
            return look.getAsBoolean();
        } catch (RuntimeException unparsable) {
            return false;
        }
    }

    static byte[] readRecord(DataInputStream in) throws IOException {
        byte[] header = new byte[5];
        in.readFully(header);
        int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        byte[] record = new byte[5 + length];
        System.arraycopy(header, 0, record, 0, 5);
        in.readFully(record, 5, length);
        return record;
    }

    /** Full or resumed, from the ServerHello (and, for TLS 1.2, the ClientHello's session id). */
    static boolean judge(byte[] clientHello, byte[] serverHello) {
        ByteBuffer s = ByteBuffer.wrap(serverHello, 5, serverHello.length - 5);
        if (s.get() != 2) {
            return false;
        }
        s.position(s.position() + 3 + 2 + 32);
        byte[] sessionId = new byte[s.get() & 0xff];
        s.get(sessionId);
        int cipher = s.getShort() & 0xffff;
        s.get();
        String protocol = "TLSv1.2";
        boolean psk = false;
        if (s.remaining() >= 2) {
            int end = (s.getShort() & 0xffff) + s.position();
            while (s.position() + 4 <= end) {
                int type = s.getShort() & 0xffff;
                int len = s.getShort() & 0xffff;
                if (type == 43 && len == 2) {
                    protocol = s.getShort() == 0x0304 ? "TLSv1.3" : "TLSv1.2";
                    continue;
                }
                psk |= type == 41;
                s.position(s.position() + len);
            }
        }
        boolean resumed = protocol.equals("TLSv1.3")
                ? psk
                : sessionId.length > 0 && java.util.Arrays.equals(sessionId, clientSessionId(clientHello));
        (resumed ? RESUMED : FULL).incrementAndGet();
        NEGOTIATED.merge(protocol + "/0x" + Integer.toHexString(cipher), 1, Integer::sum);
        return resumed;
    }

    static byte[] clientSessionId(byte[] hello) {
        ByteBuffer b = ByteBuffer.wrap(hello, 5 + 4 + 2 + 32, hello.length - 43);
        byte[] id = new byte[b.get() & 0xff];
        b.get(id);
        return id;
    }

    static boolean hasExtension(byte[] hello, int wanted) {
        ByteBuffer b = ByteBuffer.wrap(hello, 5, hello.length - 5);
        if (b.get() != 1) {
            return false;
        }
        b.position(b.position() + 3 + 2 + 32);
        int sessionIdLength = b.get() & 0xff;
        b.position(b.position() + sessionIdLength);
        int cipherSuitesLength = b.getShort() & 0xffff;
        b.position(b.position() + cipherSuitesLength);
        int compressionLength = b.get() & 0xff;
        b.position(b.position() + compressionLength);
        int end = (b.getShort() & 0xffff) + b.position();
        while (b.position() + 4 <= end) {
            int type = b.getShort() & 0xffff;
            int len = b.getShort() & 0xffff;
            if (type == wanted) {
                return true;
            }
            b.position(b.position() + len);
        }
        return false;
    }
}

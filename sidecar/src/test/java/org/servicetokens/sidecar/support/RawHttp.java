package org.servicetokens.sidecar.support;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A byte-exact HTTP/1.x client over a plain socket, for requests no client library would send (two Host headers, a
 * lower-case method, a raw {@code #}, absolute-form targets, smuggling attempts) and for watching interim answers
 * such as {@code 100 Continue}. Nothing is normalised on the way out; responses are framed by RFC 9112 §6.3
 * (Content-Length or chunked; no body for HEAD, 1xx, 204 and 304).
 *
 * <p>Two ways to use it: a connection ({@code new RawHttp(port)}, then {@link #send}/{@link #read} in turn, reads
 * time out after 10 s with an exception), or one-shot {@link #exchangeAll}/{@link #expectContinue}, which read
 * until the final answer and treat 5 s of silence as the end of input.
 */
public final class RawHttp implements AutoCloseable {

    /** The connection closed without a response. */
    public static final int CLOSED = -1;
    /** Bytes came back that are not an HTTP/1 response (an HTTP/2 frame, say). */
    public static final int NOT_HTTP1 = 0;

    /** One response: status (or {@link #CLOSED} / {@link #NOT_HTTP1}), headers, body (ISO-8859-1, de-chunked). */
    public record Answer(int status, MultiMap headers, String body) {
        public String reason() {
            return body.startsWith("{") ? new JsonObject(body).getString("reason") : null;
        }

        public String header(String name) {
            return headers.get(name);
        }
    }

    private static final int ONE_SHOT_TIMEOUT_MS = 5_000;

    private final Socket socket;
    private final Reader reader;
    /** Answers to HEAD have no body, whatever Content-Length says (RFC 9110 §9.3.2). */
    private boolean headRequest;

    public RawHttp(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            reader = new Reader(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code request} on a fresh connection and reads one response. */
    public static Answer exchange(int port, String request) {
        try (RawHttp c = new RawHttp(port)) {
            c.send(request);
            return c.read();
        }
    }

    /**
     * Sends {@code bytes} on a fresh connection and returns every response read: reading stops at the first final
     * (non-1xx) response, or, with {@code settleMillis} &gt; 0, after that much quiet time following it (to catch
     * answers to a second, pipelined or smuggled request on the same connection), or when the server closes.
     * {@code head}: the answers have no body (HEAD, or a 2xx to CONNECT).
     */
    public static List<Answer> exchangeAll(int port, byte[] bytes, boolean head, long settleMillis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(ONE_SHOT_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (SocketException e) {
                // The server may refuse and close before reading everything (an oversized head); read its answer.
            }
            return new Reader(s.getInputStream()).readAll(s, head, settleMillis);
        }
    }

    /** For {@code Expect: 100-continue}: sends the head, then the body only if a 100 arrives first. */
    public static List<Answer> expectContinue(int port, byte[] head, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(ONE_SHOT_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(head);
            out.flush();
            Reader reader = new Reader(s.getInputStream());
            List<Answer> got = new ArrayList<>();
            Answer first = reader.next(false);
            got.add(first);
            if (first.status() == 100) {
                out.write(body);
                out.flush();
                got.addAll(reader.readAll(s, false, 0));
            }
            return got;
        }
    }

    public RawHttp send(String bytes) {
        if (bytes.startsWith("HEAD ")) {
            headRequest = true;
        }
        try {
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next response (interim or final), or null if nothing complete arrived within {@code timeoutMs}. */
    public Answer read(int timeoutMs) {
        try {
            socket.setSoTimeout(timeoutMs);
            return read();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof SocketTimeoutException) {
                return null;
            }
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The next response; status {@link #CLOSED} if the connection closed before one arrived. A response not complete
     * within the socket timeout is an {@link IllegalStateException} caused by a {@link SocketTimeoutException}, and
     * stays unread (a later read may still return it).
     */
    public Answer read() {
        int mark = reader.pos;
        reader.timedOut = false;
        try {
            Answer a = reader.next(headRequest);
            if (reader.timedOut) {
                reader.pos = mark;
                throw new IllegalStateException(new SocketTimeoutException("no complete response"));
            }
            return a;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if the server closed the connection (reads end of stream within {@code timeoutMs}). */
    public boolean closedByServer(int timeoutMs) {
        try {
            socket.setSoTimeout(timeoutMs);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Reads responses off one connection; a read timeout ends input (and sets {@link #timedOut}). */
    private static final class Reader {
        private final InputStream in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private int pos;
        private boolean eof;
        private boolean timedOut;

        Reader(InputStream in) {
            this.in = in;
        }

        List<Answer> readAll(Socket s, boolean head, long settleMillis) throws IOException {
            List<Answer> out = new ArrayList<>();
            while (true) {
                Answer r = next(head);
                out.add(r);
                if (r.status() <= 0 || r.status() == 101) {
                    return out;
                }
                if (r.status() >= 200) {
                    if (settleMillis <= 0 || eof) {
                        return out;
                    }
                    s.setSoTimeout((int) settleMillis);
                    if (!fill()) {
                        return out;
                    }
                    s.setSoTimeout(ONE_SHOT_TIMEOUT_MS);
                }
            }
        }

        /** One response; CLOSED when nothing more arrives, NOT_HTTP1 for bytes of another protocol. */
        Answer next(boolean head) throws IOException {
            int end;
            while ((end = indexOf("\r\n\r\n")) < 0) {
                if (available() >= 5 && !text(pos, 5).equals("HTTP/")) {
                    return new Answer(NOT_HTTP1, MultiMap.caseInsensitiveMultiMap(), "");
                }
                if (!fill()) {
                    return new Answer(available() == 0 ? CLOSED : NOT_HTTP1, MultiMap.caseInsensitiveMultiMap(), "");
                }
            }
            String[] lines = text(pos, end - pos).split("\r\n");
            pos = end + 4;
            // Any "HTTP/x.y NNN" status line counts (a server may echo the request's version, "HTTP/2.0 501").
            if (!lines[0].startsWith("HTTP/") || lines[0].length() < 12 || lines[0].charAt(8) != ' ') {
                return new Answer(NOT_HTTP1, MultiMap.caseInsensitiveMultiMap(), "");
            }
            int status = Integer.parseInt(lines[0].substring(9, 12));
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.add(
                            lines[i].substring(0, colon).trim(),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String body = "";
            String length = headers.get("content-length");
            String te = headers.get("transfer-encoding");
            boolean bodiless = (head && status >= 200) || status < 200 || status == 204 || status == 304;
            if (!bodiless && te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = chunked();
            } else if (!bodiless && length != null) {
                int n = Integer.parseInt(length);
                while (available() < n && fill()) {
                    // keep reading
                }
                body = text(pos, Math.min(n, available()));
                pos += Math.min(n, available());
            }
            return new Answer(status, headers, body);
        }

        private String chunked() throws IOException {
            StringBuilder body = new StringBuilder();
            while (true) {
                int eol;
                while ((eol = indexOf("\r\n")) < 0) {
                    if (!fill()) {
                        return body.toString();
                    }
                }
                String sizeLine = text(pos, eol - pos);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                pos = eol + 2;
                while (available() < size + 2 && fill()) {
                    // keep reading
                }
                if (size == 0) {
                    // Trailers (none expected) end with an empty line.
                    while (indexOf("\r\n") < 0 && fill()) {
                        // keep reading
                    }
                    pos = Math.min(pos + 2, buffer.size());
                    return body.toString();
                }
                body.append(text(pos, Math.min(size, available())));
                pos = Math.min(pos + size + 2, buffer.size());
            }
        }

        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            byte[] chunk = new byte[16 * 1024];
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                timedOut = true;
                return false;
            } catch (SocketException e) {
                // reset after the server answered and closed a malformed request
                n = -1;
            }
            if (n < 0) {
                eof = true;
                return false;
            }
            buffer.write(chunk, 0, n);
            return true;
        }

        private int available() {
            return buffer.size() - pos;
        }

        private int indexOf(String marker) {
            String all = buffer.toString(StandardCharsets.ISO_8859_1);
            return all.indexOf(marker, pos);
        }

        private String text(int from, int length) {
            byte[] bytes = buffer.toByteArray();
            return new String(
                    bytes, from, Math.max(0, Math.min(length, bytes.length - from)), StandardCharsets.ISO_8859_1);
        }
    }
}

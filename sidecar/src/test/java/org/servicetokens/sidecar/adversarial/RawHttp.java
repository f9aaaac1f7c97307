package org.servicetokens.sidecar.adversarial;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A byte-exact HTTP/1.1 client for hostile requests: writes the bytes as given on a fresh connection and parses
 * what comes back into responses (interim 1xx answers included), framed by RFC 9112 §6.3. Nothing is
 * normalised on the way out, so a case can send what no well-behaved client library would.
 */
final class RawHttp {

  /** What the sidecar answered: one response, or {@link #CLOSED} / {@link #NOT_HTTP1} as the status. */
  record Response(int status, Map<String, List<String>> headers, String body) {

    String header(String name) {
      List<String> all = headers.get(name.toLowerCase(Locale.ROOT));
      return all == null || all.isEmpty() ? null : all.get(0);
    }
  }

  /** The connection closed without a response. */
  static final int CLOSED = -1;
  /** Bytes came back that are not an HTTP/1 response (an HTTP/2 frame, say). */
  static final int NOT_HTTP1 = 0;

  private final int port;

  RawHttp(int port) {
    this.port = port;
  }

  /**
   * Sends {@code bytes} and returns every response read: reading stops at the first final (non-1xx) response,
   * or, with {@code settleMillis} &gt; 0, after that much quiet time following it (to catch answers to a
   * second, smuggled request on the same connection), or when the server closes.
   */
  List<Response> exchange(byte[] bytes, boolean head, long settleMillis) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      try {
        out.write(bytes);
        out.flush();
      } catch (SocketException e) {
        // The server may refuse and close before reading everything (an oversized head); read its answer.
      }
      Reader reader = new Reader(s.getInputStream());
      return reader.readAll(s, head, settleMillis);
    }
  }

  /** For {@code Expect: 100-continue}: sends the head, then the body only if a 100 arrives first. */
  List<Response> expectContinue(byte[] head, byte[] body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(head);
      out.flush();
      Reader reader = new Reader(s.getInputStream());
      List<Response> got = new ArrayList<>();
      Response first = reader.next(false);
      got.add(first);
      if (first.status() == 100) {
        out.write(body);
        out.flush();
        got.addAll(reader.readAll(s, false, 0));
      }
      return got;
    }
  }

  private static final class Reader {
    private final InputStream in;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private int pos;
    private boolean eof;

    Reader(InputStream in) {
      this.in = in;
    }

    List<Response> readAll(Socket s, boolean head, long settleMillis) throws IOException {
      List<Response> out = new ArrayList<>();
      while (true) {
        Response r = next(head);
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
          s.setSoTimeout(5_000);
        }
      }
    }

    /** One response; CLOSED when nothing more arrives, NOT_HTTP1 for bytes of another protocol. */
    Response next(boolean head) throws IOException {
      int end;
      while ((end = indexOf("\r\n\r\n")) < 0) {
        if (available() >= 5 && !text(pos, 5).equals("HTTP/")) {
          return new Response(NOT_HTTP1, Map.of(), "");
        }
        if (!fill()) {
          return new Response(available() == 0 ? CLOSED : NOT_HTTP1, Map.of(), "");
        }
      }
      String[] lines = text(pos, end - pos).split("\r\n");
      pos = end + 4;
      // Any "HTTP/x.y NNN" status line counts (a server may echo the request's version, "HTTP/2.0 501").
      if (!lines[0].startsWith("HTTP/") || lines[0].length() < 12 || lines[0].charAt(8) != ' ') {
        return new Response(NOT_HTTP1, Map.of(), "");
      }
      int status = Integer.parseInt(lines[0].substring(9, 12));
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
              .add(lines[i].substring(colon + 1).trim());
        }
      }
      String body = "";
      List<String> length = headers.get("content-length");
      List<String> te = headers.get("transfer-encoding");
      boolean bodiless = head || status < 200 || status == 204 || status == 304;
      if (!bodiless && te != null && te.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
        body = chunked();
      } else if (!bodiless && length != null) {
        int n = Integer.parseInt(length.get(0));
        while (available() < n && fill()) {
          // keep reading
        }
        body = text(pos, Math.min(n, available()));
        pos += Math.min(n, available());
      }
      return new Response(status, headers, body);
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
      return new String(bytes, from, Math.max(0, Math.min(length, bytes.length - from)), StandardCharsets.ISO_8859_1);
    }
  }
}

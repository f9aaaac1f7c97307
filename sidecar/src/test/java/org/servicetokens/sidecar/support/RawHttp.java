package org.servicetokens.sidecar.support;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.x over a plain socket, for requests no client library would send (two Host headers, a lower-case method,
 * a raw {@code #}, absolute-form targets) and for watching interim answers such as {@code 100 Continue}.
 */
public final class RawHttp implements AutoCloseable {

  /** One response: status, headers, body (ISO-8859-1). */
  public record Answer(int status, MultiMap headers, String body) {
    public String reason() {
      return body.startsWith("{") ? new JsonObject(body).getString("reason") : null;
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  /** Answers to HEAD have no body, whatever Content-Length says (RFC 9110 §9.3.2). */
  private boolean headRequest;

  public RawHttp(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
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

  /** The next response; status -1 if the connection closed before one arrived. */
  public Answer read() {
    try {
      byte[] buf = new byte[8192];
      while (true) {
        String text = pending.toString(StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        if (split >= 0) {
          Answer a = parse(text, split);
          if (a != null) {
            return a;
          }
        }
        int n;
        try {
          n = in.read(buf);
        } catch (java.net.SocketException e) {
          n = -1;
        }
        if (n < 0) {
          return new Answer(-1, MultiMap.caseInsensitiveMultiMap(), text);
        }
        pending.write(buf, 0, n);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True if the server closed the connection (reads end of stream within {@code timeoutMs}). */
  public boolean closedByServer(int timeoutMs) {
    try {
      socket.setSoTimeout(timeoutMs);
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private Answer parse(String text, int split) {
    String[] lines = text.substring(0, split).split("\r\n");
    int status = Integer.parseInt(lines[0].substring(9, 12));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
    }
    int bodyStart = split + 4;
    int length = status / 100 == 1 || status == 204 || status == 304 || (headRequest && status >= 200) ? 0
        : headers.contains("Content-Length") ? Integer.parseInt(headers.get("Content-Length")) : -1;
    if (length < 0) {
      return null;
    }
    if (text.length() - bodyStart < length) {
      return null;
    }
    byte[] all = pending.toByteArray();
    pending.reset();
    pending.write(all, bodyStart + length, all.length - bodyStart - length);
    return new Answer(status, headers, text.substring(bodyStart, bodyStart + length));
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}

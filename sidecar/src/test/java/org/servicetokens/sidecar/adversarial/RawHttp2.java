package org.servicetokens.sidecar.adversarial;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP/2 request over cleartext with prior knowledge (RFC 9113 §3.3), with header values sent exactly as
 * given: client libraries refuse CR, LF and NUL in values, which is what the cases need to send. HPACK comes
 * from Netty with validation off; framing is written by hand. A reset stream or a closed connection is
 * reported as {@link RawHttp#CLOSED}.
 */
final class RawHttp2 {

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int GOAWAY = 0x7;
  private static final int CONTINUATION = 0x9;

  private RawHttp2() {
  }

  /** {@code headers}: name/value pairs after the pseudo-headers, names as given (HTTP/2 wants lower case). */
  static RawHttp.Response exchange(int port, String method, String path, String authority, List<String[]> headers)
      throws IOException {
    Http2Headers block = new DefaultHttp2Headers(false);
    block.method(method).scheme("http").path(path).authority(authority);
    for (String[] h : headers) {
      block.add(h[0], h[1]);
    }
    ByteBuf encoded = Unpooled.buffer();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true).encodeHeaders(1, block, encoded);
      byte[] fragment = new byte[encoded.readableBytes()];
      encoded.readBytes(fragment);
      OutputStream out = s.getOutputStream();
      out.write(PREFACE);
      out.write(frame(SETTINGS, 0, 0, new byte[0]));
      // END_STREAM | END_HEADERS: a request without a body in one HEADERS frame.
      out.write(frame(HEADERS, 0x5, 1, fragment));
      out.flush();
      return read(new DataInputStream(s.getInputStream()), out);
    } catch (io.netty.handler.codec.http2.Http2Exception e) {
      throw new IOException(e);
    } finally {
      encoded.release();
    }
  }

  private static RawHttp.Response read(DataInputStream in, OutputStream out) throws IOException {
    ByteArrayOutputStream headerBlock = new ByteArrayOutputStream();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Map<String, List<String>> headers = null;
    int status = RawHttp.CLOSED;
    try {
      while (true) {
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == SETTINGS && (flags & 0x1) == 0) {
          out.write(frame(SETTINGS, 0x1, 0, new byte[0]));
          out.flush();
        } else if (type == GOAWAY || (type == RST_STREAM && stream == 1)) {
          return new RawHttp.Response(status == RawHttp.CLOSED ? RawHttp.CLOSED : status, headers == null ? Map.of() : headers,
              body.toString(StandardCharsets.UTF_8));
        } else if ((type == HEADERS || type == CONTINUATION) && stream == 1) {
          int offset = 0;
          int pad = 0;
          if (type == HEADERS && (flags & 0x8) != 0) {
            pad = payload[0] & 0xff;
            offset = 1;
          }
          if (type == HEADERS && (flags & 0x20) != 0) {
            offset += 5;
          }
          headerBlock.write(payload, offset, payload.length - offset - pad);
          if ((flags & 0x4) != 0 && headers == null) {
            Http2Headers decoded = decode(headerBlock.toByteArray());
            headers = new LinkedHashMap<>();
            for (Map.Entry<CharSequence, CharSequence> e : decoded) {
              headers.computeIfAbsent(e.getKey().toString(), k -> new ArrayList<>()).add(e.getValue().toString());
            }
            status = Integer.parseInt(decoded.status().toString());
          }
          if ((flags & 0x1) != 0) {
            return new RawHttp.Response(status, headers, body.toString(StandardCharsets.UTF_8));
          }
        } else if (type == DATA && stream == 1) {
          int pad = (flags & 0x8) != 0 ? (payload[0] & 0xff) + 1 : 0;
          body.write(payload, pad == 0 ? 0 : 1, payload.length - pad);
          if ((flags & 0x1) != 0) {
            return new RawHttp.Response(status, headers, body.toString(StandardCharsets.UTF_8));
          }
        }
      }
    } catch (EOFException | SocketTimeoutException | java.net.SocketException e) {
      return new RawHttp.Response(RawHttp.CLOSED, Map.of(), "");
    }
  }

  private static Http2Headers decode(byte[] block) throws IOException {
    ByteBuf buf = Unpooled.wrappedBuffer(block);
    try {
      return new DefaultHttp2HeadersDecoder(false).decodeHeaders(1, buf);
    } catch (io.netty.handler.codec.http2.Http2Exception e) {
      throw new IOException(e);
    } finally {
      buf.release();
    }
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }
}

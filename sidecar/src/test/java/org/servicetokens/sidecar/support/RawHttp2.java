package org.servicetokens.sidecar.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/2 with prior knowledge (h2c) over a plain socket, one request per connection, with header blocks built by
 * Netty's HPACK encoder without validation: header values with CR or LF, duplicate or misplaced pseudo-headers,
 * whatever a hostile client can put in a frame. The answer is the response's {@code :status} and body, or the
 * stream reset / connection error the server chose instead.
 */
public final class RawHttp2 {

    /**
     * {@code status} -1: the stream was reset ({@code error} = its code); -2: the connection ended (GOAWAY or close).
     * {@code interim}: a 1xx (such as 100 Continue) came before the final answer. {@code headers}: the last response
     * header block received (null if none), also when the stream was reset or the connection ended after it;
     * {@code body}: the DATA received.
     */
    public record Answer(int status, long error, Http2Headers headers, String body, boolean interim) {
        /**
         * The answer as an HTTP/1 {@link RawHttp.Answer}: the status of the last header block received, even if the
         * stream was then reset or the connection ended, else {@link RawHttp#CLOSED}; header names as sent (lower case,
         * pseudo-headers included).
         */
        public RawHttp.Answer asHttp1() {
            MultiMap h = MultiMap.caseInsensitiveMultiMap();
            if (headers != null) {
                for (Map.Entry<CharSequence, CharSequence> e : headers) {
                    h.add(e.getKey().toString(), e.getValue().toString());
                }
            }
            int s = headers != null && headers.status() != null
                    ? Integer.parseInt(headers.status().toString())
                    : RawHttp.CLOSED;
            return new RawHttp.Answer(s, h, body);
        }

        public String reason() {
            return body.startsWith("{") ? new JsonObject(body).getString("reason") : null;
        }

        public boolean refusedByProtocol() {
            return status == -1 || status == -2;
        }

        @Override
        public String toString() {
            return status == -1
                    ? "RST_STREAM(" + error + ")"
                    : status == -2 ? "connection closed" : status + " " + body;
        }
    }

    private RawHttp2() {}

    /**
     * Request headers in order, as given: pseudo-headers first by convention, but nothing is enforced. Builder
     * {@code headers(":method", "GET", ":path", "/x", …)}.
     */
    public static Http2Headers headers(String... namesAndValues) {
        Http2Headers h = new DefaultHttp2Headers(false);
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    /** Sends one request (with {@code body} in a DATA frame when not null) and reads its answer (10 s at most). */
    public static Answer exchange(int port, Http2Headers request, String body) {
        return exchange(port, request, body, 10_000);
    }

    /**
     * As {@link #exchange(int, Http2Headers, String)}, waiting at most {@code timeoutMs} for each frame: a read that
     * times out is an {@link IllegalStateException} caused by a {@link java.net.SocketTimeoutException}.
     */
    public static Answer exchange(int port, Http2Headers request, String body, int timeoutMs) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            frame(out, 4, 0, 0, new byte[0]);
            ByteBuf block = Unpooled.buffer();
            new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true).encodeHeaders(1, request, block);
            byte[] encoded = new byte[block.readableBytes()];
            block.readBytes(encoded);
            block.release();
            frame(out, 1, body == null ? 0x5 : 0x4, 1, encoded);
            if (body != null) {
                frame(out, 0, 0x1, 1, body.getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            return read(in, out);
        } catch (IOException | io.netty.handler.codec.http2.Http2Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer read(DataInputStream in, OutputStream out) throws IOException {
        DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
        Http2Headers response = null;
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean interim = false;
        while (true) {
            int length;
            int type;
            int flags;
            int stream;
            byte[] payload;
            try {
                length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                type = in.readUnsignedByte();
                flags = in.readUnsignedByte();
                stream = in.readInt() & 0x7fffffff;
                payload = new byte[length];
                in.readFully(payload);
            } catch (EOFException | java.net.SocketException e) {
                return new Answer(-2, 0, response, body.toString(StandardCharsets.UTF_8), interim);
            }
            if (type == 4 && (flags & 0x1) == 0) {
                frame(out, 4, 0x1, 0, new byte[0]);
            } else if (type == 7) {
                return new Answer(
                        -2,
                        ((payload[4] & 0xffL) << 24)
                                | ((payload[5] & 0xff) << 16)
                                | ((payload[6] & 0xff) << 8)
                                | (payload[7] & 0xff),
                        response,
                        body.toString(StandardCharsets.UTF_8),
                        interim);
            } else if (stream == 1 && type == 3) {
                return new Answer(
                        -1,
                        ((payload[0] & 0xffL) << 24)
                                | ((payload[1] & 0xff) << 16)
                                | ((payload[2] & 0xff) << 8)
                                | (payload[3] & 0xff),
                        response,
                        body.toString(StandardCharsets.UTF_8),
                        interim);
            } else if (stream == 1 && (type == 1 || type == 9)) {
                // HEADERS, then CONTINUATION (0x9) until END_HEADERS (0x4). On HEADERS, PADDED (0x8): pad length first,
                // padding last; PRIORITY (0x20): 5 bytes of priority before the block.
                int start = type == 1 && (flags & 0x8) != 0 ? 1 : 0;
                int end = payload.length - (type == 1 && (flags & 0x8) != 0 ? payload[0] & 0xff : 0);
                start += type == 1 && (flags & 0x20) != 0 ? 5 : 0;
                block.write(payload, start, end - start);
                if ((flags & 0x4) != 0) {
                    Http2Headers decoded = decode(decoder, block.toByteArray());
                    block.reset();
                    if (response == null
                            || response.status() == null
                            || response.status().charAt(0) == '1') {
                        // A block after the final response's is trailers: the answer stays the response's.
                        response = decoded;
                    }
                    if (decoded.status() != null && decoded.status().charAt(0) == '1') {
                        interim = true;
                    }
                }
                if ((flags & 0x1) != 0) {
                    return answer(response, body, interim);
                }
            } else if (stream == 1 && type == 0) {
                int pad = (flags & 0x8) != 0 ? payload[0] & 0xff : -1;
                body.write(payload, pad < 0 ? 0 : 1, payload.length - (pad < 0 ? 0 : 1 + pad));
                if ((flags & 0x1) != 0) {
                    return answer(response, body, interim);
                }
            }
        }
    }

    private static Http2Headers decode(DefaultHttp2HeadersDecoder decoder, byte[] block) {
        ByteBuf buf = Unpooled.wrappedBuffer(block);
        try {
            return decoder.decodeHeaders(1, buf);
        } catch (Exception e) {
            throw new IllegalStateException("header block " + io.netty.buffer.ByteBufUtil.hexDump(block), e);
        } finally {
            buf.release();
        }
    }

    private static Answer answer(Http2Headers response, ByteArrayOutputStream body, boolean interim) {
        int status = Integer.parseInt(response.status().toString());
        return new Answer(status, 0, response, body.toString(StandardCharsets.UTF_8), interim);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {
            (byte) (n >> 16),
            (byte) (n >> 8),
            (byte) n,
            (byte) type,
            (byte) flags,
            (byte) (stream >> 24),
            (byte) (stream >> 16),
            (byte) (stream >> 8),
            (byte) stream
        });
        out.write(payload);
    }
}

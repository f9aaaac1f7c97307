package org.servicetokens.sidecar.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;
import org.servicetokens.sidecar.http.Http1Framing.FramingException;

/**
 * Vert.x's HTTP/1.x request decoder with the framing rules of {@link Http1Framing} and {@link ChunkedBodyCheck}
 * applied where nothing has been lost yet: the request line's version as sent, the framing header fields before
 * Netty drops a Content-Length that came with a Transfer-Encoding, and the chunked body bytes before they are
 * decoded. A refused head reaches the server's invalid-request handler (400 JSON, connection closed) and nothing
 * after it on the connection is read; a fault found in body bytes that arrive after the head was passed on fails
 * the request, and Vert.x closes the connection (the upstream request is reset, never completed).
 *
 * <p>Vert.x has no option for its decoder: {@link #install} swaps it in from the server's connection handler
 * (Vert.x 5.0.x internals: the pipeline handler is named {@value #NAME}, and Vert.x removes it by that name on
 * WebSocket upgrades). With h2c off the connection handler runs before a byte is read, and the swap is plain.
 * With h2c on it runs once the first request's head is decoded, by Vert.x's own decoder; that request is then
 * checked from its decoded head ({@link Handoff}: version, framing fields; a Transfer-Encoding, which may have
 * hidden a dropped Content-Length, closes the connection after the answer), and the strict decoder takes over at
 * its end.
 */
public final class StrictRequestDecoder extends VertxHttpRequestDecoder {

    /** Vert.x's name for the HTTP/1.x decoder in the channel pipeline. */
    static final String NAME = "httpDecoder";
    /** Vert.x's h2c upgrade handler: present only while the first request of an h2c-capable connection is read. */
    private static final String H2C = "h2c";

    private static final String HANDOFF = "sidecarDecoderHandoff";

    private int contentLengthFields;
    private ChunkedBodyCheck body;
    /** Bytes after the reader index already checked by {@link #body}. */
    private int checkedAhead;

    private boolean discarding;
    /** Between a request's head and its end. */
    private boolean inMessage;

    private boolean stopAtEnd;

    public StrictRequestDecoder(HttpServerOptions options) {
        super(options);
    }

    /** Puts the strict decoder in place on a new HTTP/1.x connection; HTTP/2 connections are left alone. */
    public static void install(HttpConnection connection, HttpServerOptions options) {
        if (!(connection instanceof Http1xServerConnection http1)) {
            return;
        }
        ChannelPipeline pipeline = http1.channel().pipeline();
        Object current = pipeline.get(NAME);
        if (!(current instanceof VertxHttpRequestDecoder) || current instanceof StrictRequestDecoder) {
            return;
        }
        if (pipeline.get(H2C) == null) {
            pipeline.replace(NAME, NAME, new StrictRequestDecoder(options));
        } else {
            pipeline.addAfter(H2C, HANDOFF, new Handoff(options));
        }
    }

    /**
     * Reads no request after the current one on {@code request}'s connection, which the caller is about to close
     * (RFC 9112 §9.6: nothing after a {@code Connection: close} answer is processed). Without it, a request pipelined
     * behind a refused upload would be decoded and answered in the moment between the upload's end and the close.
     * No effect on HTTP/2 or on a request already followed by a decoded one.
     */
    public static void readNoFurtherRequest(HttpServerRequest request) {
        if (!(request.connection() instanceof Http1xServerConnection http1)) {
            return;
        }
        ChannelPipeline pipeline = http1.channel().pipeline();
        if (pipeline.get(NAME) instanceof StrictRequestDecoder decoder) {
            if (decoder.inMessage) {
                decoder.stopAtEnd = true;
            } else {
                decoder.discarding = true;
            }
        } else if (pipeline.get(HANDOFF) instanceof Handoff handoff) {
            handoff.closing = true;
        }
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
        Http1Framing.checkVersion(initialLine[2]);
        contentLengthFields = 0;
        return super.createMessage(initialLine);
    }

    /**
     * Counts the Content-Length field lines as they are read: for HTTP/1.0 Netty keeps only the first of several
     * before anything else can look.
     */
    @Override
    protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
        AsciiString name = super.splitHeaderName(sb, start, length);
        if (length == 14 && name.contentEqualsIgnoreCase(HttpHeaderNames.CONTENT_LENGTH)) {
            contentLengthFields++;
        }
        return name;
    }

    /** Netty asks this right after reading the header fields, before it decides the framing: the rules go here. */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        if (message instanceof HttpRequest) {
            if (contentLengthFields > 1) {
                throw new FramingException(Http1Framing.INVALID_CL);
            }
            Http1Framing.check(message.protocolVersion(), message.headers());
        }
        return super.isContentAlwaysEmpty(message);
    }

    /** Unreachable after {@link Http1Framing#check}; kept so that Netty never silently drops the Content-Length. */
    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new FramingException(Http1Framing.TE_WITH_CL);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (body != null && !checkBody(in)) {
            LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            failed.setDecoderResult(DecoderResult.failure(new FramingException(body.failure())));
            out.add(failed);
            discard(in);
            return;
        }
        int start = in.readerIndex();
        int first = out.size();
        super.decode(ctx, in, out);
        checkedAhead = Math.max(0, checkedAhead - (in.readerIndex() - start));
        for (int i = first; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpRequest) {
                inMessage = true;
            }
            if (message instanceof LastHttpContent) {
                body = null;
                checkedAhead = 0;
                inMessage = false;
                if (stopAtEnd) {
                    discard(in);
                }
            } else if (message instanceof HttpRequest head
                    && head.decoderResult().isSuccess()
                    && head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                body = new ChunkedBodyCheck();
                checkedAhead = 0;
                if (!checkBody(in)) {
                    // The fault came with the head: refuse the request before anyone acts on it.
                    head.setDecoderResult(DecoderResult.failure(new FramingException(body.failure())));
                    discard(in);
                }
            } else if (message instanceof HttpRequest head
                    && !head.decoderResult().isSuccess()) {
                discard(in);
            }
        }
    }

    /** Checks the body bytes that arrived since the last look; false once the body is refused. */
    private boolean checkBody(ByteBuf in) {
        int from = in.readerIndex() + checkedAhead;
        if (from < in.writerIndex() && !body.done()) {
            checkedAhead = body.scan(in, from, in.writerIndex()) - in.readerIndex();
        }
        return body.failure() == null;
    }

    /** Nothing after a refused request is read: the connection is closed once it is answered. */
    private void discard(ByteBuf in) {
        discarding = true;
        body = null;
        in.skipBytes(in.readableBytes());
    }

    /**
     * The first request of a connection with h2c on, which Vert.x's own decoder read: checked from its decoded head
     * (version and framing fields; a refused head is replaced by an invalid request, as the decoder would have made),
     * then the strict decoder replaces Vert.x's at the request's end, where no byte of the next request has been
     * decoded yet (Netty hands the old decoder's unread bytes to its replacement). A Transfer-Encoding here may have
     * come with a Content-Length Netty dropped unseen, so instead the connection reads nothing more and is closed
     * once the request has ended and its answer is written (RFC 9112 §6.1).
     */
    private static final class Handoff extends ChannelDuplexHandler {

        private final HttpServerOptions options;
        private boolean closing;
        private boolean requestEnded;
        private boolean responseEnded;

        Handoff(HttpServerOptions options) {
            this.options = options;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (requestEnded) {
                // Only reached when closing: whatever follows the first request is never read.
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
                try {
                    Http1Framing.checkVersion(head.protocolVersion());
                    Http1Framing.check(head.protocolVersion(), head.headers());
                    closing = head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
                } catch (FramingException e) {
                    ReferenceCountUtil.release(msg);
                    DefaultFullHttpRequest invalid = new DefaultFullHttpRequest(
                            HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", Unpooled.EMPTY_BUFFER);
                    invalid.setDecoderResult(DecoderResult.failure(e));
                    closing = true;
                    requestEnded = true;
                    ctx.fireChannelRead(invalid);
                    return;
                }
            }
            boolean last = msg instanceof LastHttpContent;
            ctx.fireChannelRead(msg);
            if (!last) {
                return;
            }
            requestEnded = true;
            if (closing) {
                closeIfDone(ctx);
                return;
            }
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.remove(this);
            if (pipeline.get(NAME) instanceof VertxHttpRequestDecoder) {
                pipeline.replace(NAME, NAME, new StrictRequestDecoder(options));
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (closing && msg instanceof LastHttpContent) {
                ChannelPromise written = promise.unvoid();
                written.addListener(f -> {
                    responseEnded = true;
                    closeIfDone(ctx);
                });
                ctx.write(msg, written);
                return;
            }
            ctx.write(msg, promise);
        }

        private void closeIfDone(ChannelHandlerContext ctx) {
            if (requestEnded && responseEnded) {
                ctx.close();
            }
        }
    }
}

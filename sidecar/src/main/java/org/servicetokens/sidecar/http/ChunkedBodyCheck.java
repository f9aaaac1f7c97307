package org.servicetokens.sidecar.http;

import io.netty.buffer.ByteBuf;

/**
 * The strict grammar of one chunked request body (RFC 9112 §7.1), checked over the bytes as they arrive: every
 * chunk size is 1 to 16 hex digits followed directly by CR LF; every chunk's data is exactly that many bytes followed
 * by CR LF; the last chunk ({@code 0}) is followed directly by the CR LF that ends the body. Refused, because parsers
 * disagree on them and the sidecar forwards none of them anyway (the body goes upstream re-chunked): chunk extensions
 * ({@code 3;a=b}, reason {@code chunk_extension}), trailer fields ({@code trailer_fields}), and whitespace, signs,
 * {@code 0x}, bare CR or LF, oversized sizes, short or long data ({@code invalid_chunked_body}).
 *
 * <p>Work is one table-free pass over the size lines and CR LFs; chunk data is skipped, never read.
 */
final class ChunkedBodyCheck {

    static final String INVALID = "invalid_chunked_body";
    static final String EXTENSION = "chunk_extension";
    static final String TRAILER = "trailer_fields";
    private static final int MAX_SIZE_DIGITS = 16;

    private enum State {
        SIZE,
        SIZE_LF,
        DATA,
        DATA_CR,
        DATA_LF,
        END_CR,
        END_LF,
        DONE
    }

    private State state = State.SIZE;
    private int digits;
    private long remaining;
    private String failure;

    /** The reason the body was refused, or null while it is well-formed so far. */
    String failure() {
        return failure;
    }

    boolean done() {
        return state == State.DONE;
    }

    /**
     * Checks {@code buf}'s bytes from index {@code from} (inclusive) to {@code to} (exclusive), continuing where the
     * previous call stopped. Returns the index after the last byte that belongs to this body: {@code to}, or less
     * once the body's final CR LF is found (what follows is the next request). Stops at the first fault, which
     * {@link #failure()} then names.
     */
    int scan(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to && failure == null && state != State.DONE) {
            if (state == State.DATA) {
                int n = (int) Math.min(remaining, to - i);
                remaining -= n;
                i += n;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            byte b = buf.getByte(i++);
            switch (state) {
                case SIZE -> size(b);
                case SIZE_LF -> {
                    if (b != '\n') {
                        failure = INVALID;
                    } else if (remaining == 0) {
                        state = State.END_CR;
                    } else {
                        state = State.DATA;
                    }
                }
                case DATA_CR -> expect(b, '\r', State.DATA_LF);
                case DATA_LF -> {
                    expect(b, '\n', State.SIZE);
                    digits = 0;
                }
                case END_CR -> {
                    // Anything but CR (or a bare LF) here starts a trailer field line.
                    if (b == '\r') {
                        state = State.END_LF;
                    } else {
                        failure = b == '\n' ? INVALID : TRAILER;
                    }
                }
                case END_LF -> expect(b, '\n', State.DONE);
                default -> throw new IllegalStateException(state.name());
            }
        }
        return i;
    }

    private void size(byte b) {
        int value = Character.digit(b, 16);
        if (value >= 0) {
            if (++digits > MAX_SIZE_DIGITS || remaining > (Long.MAX_VALUE >> 4)) {
                failure = INVALID;
                return;
            }
            remaining = remaining << 4 | value;
        } else if (b == '\r' && digits > 0) {
            state = State.SIZE_LF;
        } else if (b == ';' && digits > 0) {
            failure = EXTENSION;
        } else {
            failure = INVALID;
        }
    }

    private void expect(byte b, char wanted, State next) {
        if (b == wanted) {
            state = next;
        } else {
            failure = INVALID;
        }
    }
}

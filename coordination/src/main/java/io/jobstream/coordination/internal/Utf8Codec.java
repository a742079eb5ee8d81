package io.jobstream.coordination.internal;

import io.lettuce.core.codec.StringCodec;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Lettuce's UTF-8 {@link StringCodec}, writing keys and arguments with {@link String#getBytes} (an array copy for the
 * Latin-1 strings our keys, ids and numbers are) instead of Netty's per-character UTF-8 loop, which was a sixth of
 * the connection's event-loop thread in the coordination benchmark's profile. Decoding is the base codec's.
 */
final class Utf8Codec extends StringCodec {

    static final Utf8Codec INSTANCE = new Utf8Codec();

    private Utf8Codec() {
        super(StandardCharsets.UTF_8);
    }

    @Override
    public void encodeKey(String key, ByteBuf target) {
        write(key, target);
    }

    @Override
    public void encodeValue(String value, ByteBuf target) {
        write(value, target);
    }

    @Override
    public void encode(String text, ByteBuf target) {
        write(text, target);
    }

    private static void write(String text, ByteBuf target) {
        if (text != null) {
            target.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}

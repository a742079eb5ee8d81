package io.jobstream.schemas.internal;

import java.io.OutputStream;
import java.util.Arrays;

/** An unsynchronized, reusable, growable byte buffer to encode into. Not thread-safe. */
final class ByteSink extends OutputStream {
    /** A buffer grown beyond this is dropped after use rather than kept for the thread's lifetime. */
    private static final int RETAINED_CAPACITY = 1 << 20;

    private static final int INITIAL_CAPACITY = 512;

    private byte[] buf = new byte[INITIAL_CAPACITY];
    private int count;

    /** The buffer's current size. */
    int capacity() {
        return buf.length;
    }

    void reset() {
        if (buf.length > RETAINED_CAPACITY) {
            buf = new byte[INITIAL_CAPACITY];
        }
        count = 0;
    }

    @Override
    public void write(int b) {
        ensure(1);
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, count, length);
        count += length;
    }

    void writeIntBigEndian(int value) {
        ensure(4);
        buf[count++] = (byte) (value >>> 24);
        buf[count++] = (byte) (value >>> 16);
        buf[count++] = (byte) (value >>> 8);
        buf[count++] = (byte) value;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }

    private void ensure(int extra) {
        int needed = count + extra;
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
        }
    }
}

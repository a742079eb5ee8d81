package io.jobstream.schemas.internal;

import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobDecodeException.Reason;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary {@link Decoder} over a byte array that never trusts a length: every string, bytes, fixed, array
 * and map length is checked against the bytes that remain before anything is allocated, so corrupt or hostile input
 * cannot make it allocate more than the input's size (Avro's own decoder allocates first and reads after).
 *
 * <p>Collection counts are bounded twice: each block's count by the bytes that remain, and the items of all blocks
 * of one input together by the input's length. Every item of every schema this module ships takes at least one byte
 * (no arrays or maps of {@code null}, empty records or zero-size fixed), so a real record never comes near either
 * bound; a hostile writer schema with zero-size items (an {@code array<null>}) would otherwise let each few-byte block
 * announce as many items as bytes remain, and skipping them would take time quadratic in the input's size. With the
 * budget, reading or skipping the items of one input costs at most one step per input byte.
 *
 * <p>Throws {@link EOFException} when the input ends early or a length exceeds it, and {@link JobDecodeException}
 * ({@link Reason#INVALID_FIELD}) for malformed varints, booleans and negative lengths. Not thread-safe; reusable via
 * {@link #reset}.
 */
public final class BoundedBinaryDecoder extends Decoder {
    private byte[] buf = new byte[0];
    private int pos;
    private int limit;
    /** Collection items still allowed for this input (see the class comment). */
    private long itemBudget;
    /** Collection items announced since the last {@link #reset} (tests: work is bounded by the input). */
    private long itemsAnnounced;

    /** Decodes {@code length} bytes of {@code bytes} starting at {@code offset}. */
    public BoundedBinaryDecoder reset(byte[] bytes, int offset, int length) {
        this.buf = bytes;
        this.pos = offset;
        this.limit = offset + length;
        this.itemBudget = length;
        this.itemsAnnounced = 0;
        return this;
    }

    /** Forgets the input so that it can be collected. */
    public void release() {
        this.buf = EMPTY;
        this.pos = 0;
        this.limit = 0;
    }

    private static final byte[] EMPTY = new byte[0];

    /** Collection items the input announced since the last {@link #reset}: never more than its length. */
    public long itemsAnnounced() {
        return itemsAnnounced;
    }

    /** Bytes not yet read. */
    public int remaining() {
        return limit - pos;
    }

    private void require(long count) throws EOFException {
        if (count > limit - pos) {
            throw new EOFException("needs " + count + " bytes, " + (limit - pos) + " remain");
        }
    }

    @Override
    public void readNull() {}

    @Override
    public boolean readBoolean() throws EOFException {
        require(1);
        int b = buf[pos++];
        if (b == 0) {
            return false;
        }
        if (b == 1) {
            return true;
        }
        throw new JobDecodeException(Reason.INVALID_FIELD, "boolean byte is " + b + ", not 0 or 1");
    }

    @Override
    public int readInt() throws EOFException {
        int n = 0;
        int shift = 0;
        int b;
        do {
            if (shift > 28) {
                throw new JobDecodeException(Reason.INVALID_FIELD, "int varint longer than 5 bytes");
            }
            if (pos >= limit) {
                throw new EOFException("int varint ends early");
            }
            b = buf[pos++] & 0xff;
            n |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (n >>> 1) ^ -(n & 1);
    }

    @Override
    public long readLong() throws EOFException {
        long n = 0;
        int shift = 0;
        long b;
        do {
            if (shift > 63) {
                throw new JobDecodeException(Reason.INVALID_FIELD, "long varint longer than 10 bytes");
            }
            if (pos >= limit) {
                throw new EOFException("long varint ends early");
            }
            b = buf[pos++] & 0xff;
            n |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (n >>> 1) ^ -(n & 1);
    }

    @Override
    public float readFloat() throws EOFException {
        require(4);
        int bits = (buf[pos] & 0xff)
                | (buf[pos + 1] & 0xff) << 8
                | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws EOFException {
        require(8);
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    private int readLength() throws EOFException {
        long length = readLong();
        if (length < 0) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "negative length " + length);
        }
        require(length);
        return (int) length;
    }

    @Override
    public Utf8 readString(Utf8 old) throws EOFException {
        int length = readLength();
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws EOFException {
        int length = readLength();
        String result = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return result;
    }

    @Override
    public void skipString() throws EOFException {
        pos += readLength();
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws EOFException {
        int length = readLength();
        byte[] copy = new byte[length];
        System.arraycopy(buf, pos, copy, 0, length);
        pos += length;
        return ByteBuffer.wrap(copy);
    }

    @Override
    public void skipBytes() throws EOFException {
        pos += readLength();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws EOFException {
        require(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws EOFException {
        if (length < 0) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "negative fixed length " + length);
        }
        require(length);
        pos += length;
    }

    @Override
    public int readEnum() throws EOFException {
        int index = readInt();
        if (index < 0) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "negative enum index " + index);
        }
        return index;
    }

    @Override
    public long readArrayStart() throws EOFException {
        return readItemCount();
    }

    @Override
    public long arrayNext() throws EOFException {
        return readItemCount();
    }

    @Override
    public long skipArray() throws EOFException {
        return skipBlocks();
    }

    @Override
    public long readMapStart() throws EOFException {
        return readItemCount();
    }

    @Override
    public long mapNext() throws EOFException {
        return readItemCount();
    }

    @Override
    public long skipMap() throws EOFException {
        return skipBlocks();
    }

    @Override
    public int readIndex() throws EOFException {
        int index = readInt();
        if (index < 0) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "negative union index " + index);
        }
        return index;
    }

    private long readItemCount() throws EOFException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw new JobDecodeException(Reason.INVALID_FIELD, "invalid block count " + count);
            }
            long blockSize = readLong();
            if (blockSize < 0) {
                throw new JobDecodeException(Reason.INVALID_FIELD, "negative block size " + blockSize);
            }
            require(blockSize);
            count = -count;
        }
        require(count);
        return spend(count);
    }

    /** Takes {@code count} items from the input's budget, or fails when the input announces more items than bytes. */
    private long spend(long count) {
        if (count > itemBudget) {
            throw new JobDecodeException(
                    Reason.INVALID_FIELD,
                    "collections announce more items than the input has bytes (" + (itemsAnnounced + count) + " items, "
                            + (limit - pos) + " bytes remain): a writer schema with zero-size items?");
        }
        itemBudget -= count;
        itemsAnnounced += count;
        return count;
    }

    private long skipBlocks() throws EOFException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                require(count);
                return spend(count);
            }
            if (count == Long.MIN_VALUE) {
                throw new JobDecodeException(Reason.INVALID_FIELD, "invalid block count " + count);
            }
            long blockSize = readLong();
            if (blockSize < 0) {
                throw new JobDecodeException(Reason.INVALID_FIELD, "negative block size " + blockSize);
            }
            require(blockSize);
            pos += (int) blockSize;
        }
    }
}

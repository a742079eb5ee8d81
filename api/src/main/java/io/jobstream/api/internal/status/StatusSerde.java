package io.jobstream.api.internal.status;

import io.jobstream.schemas.JobState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The status store's value serde: a {@link StoredStatus} in a small binary layout (a version byte, then the fields in
 * declaration order; strings as length + UTF-8 with -1 for null; states by name, so a reader survives new states). It
 * is read and written for every event, so it avoids reflection. Thread-safe.
 */
public final class StatusSerde implements Serde<StoredStatus> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<StoredStatus> serializer() {
        return (topic, status) -> status == null ? null : write(status);
    }

    @Override
    public Deserializer<StoredStatus> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes, topic);
    }

    static byte[] write(StoredStatus s) {
        ByteArrayOutputStream bytes =
                new ByteArrayOutputStream(128 + 64 * s.events().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            text(out, s.id());
            text(out, s.queue());
            text(out, s.type());
            text(out, s.state().name());
            out.writeInt(s.stateAttempt());
            out.writeLong(s.stateAt());
            out.writeInt(s.attemptsBefore());
            out.writeInt(s.roundAttempts());
            optionalLong(out, s.enqueuedAt());
            out.writeLong(s.updatedAt());
            text(out, s.lastError());
            optionalLong(out, s.replayedAt());
            out.writeLong(s.eventCount());
            out.writeLong(s.expireAt());
            out.writeInt(s.events().size());
            for (StoredStatus.StoredEvent e : s.events()) {
                text(out, e.state().name());
                out.writeInt(e.attempt());
                out.writeLong(e.at());
                text(out, e.workerId());
                text(out, e.error());
            }
        } catch (IOException e) {
            throw new SerializationException("cannot write the status of job " + s.id(), e);
        }
        return bytes.toByteArray();
    }

    static StoredStatus read(byte[] bytes, String topic) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException(
                        "job status of unknown version " + version + " in " + topic + " (a newer writer?)");
            }
            String id = text(in);
            String queue = text(in);
            String type = text(in);
            JobState state = state(text(in));
            int stateAttempt = in.readInt();
            long stateAt = in.readLong();
            int attemptsBefore = in.readInt();
            int roundAttempts = in.readInt();
            Long enqueuedAt = optionalLong(in);
            long updatedAt = in.readLong();
            String lastError = text(in);
            Long replayedAt = optionalLong(in);
            long eventCount = in.readLong();
            long expireAt = in.readLong();
            int size = in.readInt();
            List<StoredStatus.StoredEvent> events = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                events.add(
                        new StoredStatus.StoredEvent(state(text(in)), in.readInt(), in.readLong(), text(in), text(in)));
            }
            return new StoredStatus(
                    id,
                    queue,
                    type,
                    state,
                    stateAttempt,
                    stateAt,
                    attemptsBefore,
                    roundAttempts,
                    enqueuedAt,
                    updatedAt,
                    lastError,
                    replayedAt,
                    eventCount,
                    events,
                    expireAt);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("cannot read a job status from " + topic, e);
        }
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String text(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void optionalLong(DataOutputStream out, Long value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value);
        }
    }

    private static Long optionalLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    private static JobState state(String name) {
        try {
            return JobState.valueOf(name);
        } catch (IllegalArgumentException e) {
            return JobState.UNKNOWN;
        }
    }
}

package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.testkit.SchemaRegistryServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of valid encodings in all three formats must decode into a record or fail with a {@link
 * JobDecodeException}: never another exception, never a hang. Reproduce a run with {@code -Djobstream.fuzz.seed=N};
 * run longer with {@code -Djobstream.fuzz.mutations=N}.
 */
class DecodeFuzzTest {
    private static final int MUTATIONS = Integer.getInteger("jobstream.fuzz.mutations", 10_000);
    private static final long DEFAULT_SEED = 0x5EED_2026_1122L;

    private static SchemaRegistryServer registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = SchemaRegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private record Sample(String label, byte[] bytes, Function<byte[], Object> decode) {}

    @Test
    void everyMutationDecodesOrFailsWithAStableReason() {
        long seed = Long.getLong("jobstream.fuzz.seed", DEFAULT_SEED);
        System.out.println("DecodeFuzzTest seed=" + seed + " (rerun with -Djobstream.fuzz.seed=" + seed + ")");
        Random random = new Random(seed);

        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
                JobDecoder jobDecoder = JobDecoder.create(
                        SerdeConfig.singleObject(SchemaRegistryConfig.of(registry.url())),
                        client,
                        java.time.Clock.systemUTC())) {
            // Given valid encodings of every record in every format
            List<Sample> samples = samples(client, jobDecoder);
            Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
            int[] decoded = {0};

            // When each of 10,000 mutations is decoded (the whole run bounded, so a hang fails it)
            assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
                for (int i = 0; i < MUTATIONS; i++) {
                    Sample sample = samples.get(random.nextInt(samples.size()));
                    byte[] mutated = mutate(sample.bytes(), random);
                    try {
                        Object record = sample.decode().apply(mutated);
                        // Then: either a record ...
                        assertThat(record).as("decoded record").isNotNull();
                        decoded[0]++;
                    } catch (JobDecodeException e) {
                        // ... or a JobDecodeException with a reason
                        assertThat(e.reason()).isNotNull();
                        reasons.merge(e.reason(), 1, Integer::sum);
                    } catch (Throwable e) {
                        throw new AssertionError(
                                "seed " + seed + ", mutation " + i + " of " + sample.label() + " threw " + e
                                        + "; input " + HexFormat.of().formatHex(mutated),
                                e);
                    }
                }
            });

            // And the run exercised the decoders' failure paths, not just one of them
            System.out.println("DecodeFuzzTest decoded=" + decoded[0] + " failures=" + reasons);
            assertThat(reasons.keySet())
                    .contains(
                            Reason.EMPTY,
                            Reason.UNKNOWN_FORMAT,
                            Reason.UNKNOWN_SCHEMA,
                            Reason.TRUNCATED,
                            Reason.INVALID_FIELD);
            assertThat(decoded[0]
                            + reasons.values().stream()
                                    .mapToInt(Integer::intValue)
                                    .sum())
                    .isEqualTo(MUTATIONS);
        }
    }

    private static List<Sample> samples(SchemaRegistryClient client, JobDecoder jobDecoder) {
        List<Sample> samples = new ArrayList<>();
        for (SpecificRecord record : Fixtures.everyRecord()) {
            String name = record.getSchema().getName();
            String topic = "fuzz." + name.toLowerCase(java.util.Locale.ROOT);
            JobSerde<SpecificRecord> singleObject = Fixtures.serdeFor(record, SerdeConfig.singleObject(), client);
            JobSerde<SpecificRecord> confluent =
                    Fixtures.serdeFor(record, SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())), client);
            Function<byte[], Object> decode = record instanceof Job
                    ? bytes -> jobDecoder.decode(topic, 0, 1, null, bytes)
                    : bytes -> singleObject.decode(topic, null, bytes);
            samples.add(new Sample(name + " single-object", singleObject.encode(topic, record), decode));
            samples.add(new Sample(name + " confluent", confluent.encode(topic, record), decode));
        }
        Function<byte[], Object> decodeJob = bytes -> jobDecoder.decode("fuzz.json", 0, 1, null, bytes);
        for (String json : List.of(
                "{\"type\":\"send_email\",\"payload\":{\"to\":\"a@b.c\"}}",
                "{\"type\":\"t\",\"payload\":[1,2.5,\"x\",null,true],\"id\":\"abc\",\"orderingKey\":\"k\","
                        + "\"maxAttempts\":3,\"headers\":{\"a\":\"b\"},\"notBefore\":\"2026-01-01T00:00:00Z\","
                        + "\"expiresAt\":1767225600000,\"traceParent\":\"00-1-2-01\"}",
                " \n{\"payload\":\"\\u00e9\\n\",\"type\":\"unicode\"}")) {
            samples.add(new Sample("JSON envelope", json.getBytes(StandardCharsets.UTF_8), decodeJob));
        }
        return samples;
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            bytes = switch (random.nextInt(8)) {
                case 0 -> Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // truncate
                case 1 -> flipBits(bytes, random);
                case 2 -> overwrite(bytes, random);
                case 3 -> insert(bytes, random);
                case 4 -> delete(bytes, random);
                case 5 -> corruptLength(bytes, random);
                case 6 -> duplicate(bytes, random);
                default -> fill(bytes, random);
            };
        }
        return bytes;
    }

    private static byte[] flipBits(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return bytes;
        }
        for (int i = 1 + random.nextInt(8); i > 0; i--) {
            int at = random.nextInt(bytes.length);
            bytes[at] ^= (byte) (1 << random.nextInt(8));
        }
        return bytes;
    }

    private static byte[] overwrite(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return bytes;
        }
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] insert(byte[] bytes, Random random) {
        byte[] extra = new byte[1 + random.nextInt(16)];
        random.nextBytes(extra);
        return splice(bytes, random.nextInt(bytes.length + 1), 0, extra);
    }

    private static byte[] delete(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return bytes;
        }
        int at = random.nextInt(bytes.length);
        return splice(bytes, at, 1 + random.nextInt(Math.min(16, bytes.length - at)), new byte[0]);
    }

    /** Replaces a byte with a varint claiming a huge, negative or boundary length or count. */
    private static byte[] corruptLength(byte[] bytes, Random random) {
        long[] claims = {
            Integer.MAX_VALUE,
            Integer.MAX_VALUE - 8,
            Integer.MIN_VALUE,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            -1,
            -2,
            1 << 20,
            1L << 40,
            bytes.length,
            bytes.length + 1,
            random.nextLong()
        };
        long claim = claims[random.nextInt(claims.length)];
        long zigzag = (claim << 1) ^ (claim >> 63);
        byte[] varint = new byte[10];
        int n = 0;
        while ((zigzag & ~0x7FL) != 0) {
            varint[n++] = (byte) ((zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        varint[n++] = (byte) zigzag;
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        return splice(bytes, at, Math.min(1, bytes.length - at), Arrays.copyOf(varint, n));
    }

    private static byte[] duplicate(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return bytes;
        }
        int from = random.nextInt(bytes.length);
        int length = 1 + random.nextInt(Math.min(32, bytes.length - from));
        return splice(bytes, random.nextInt(bytes.length + 1), 0, Arrays.copyOfRange(bytes, from, from + length));
    }

    private static byte[] fill(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return bytes;
        }
        int at = random.nextInt(bytes.length);
        int length = 1 + random.nextInt(Math.min(12, bytes.length - at));
        Arrays.fill(bytes, at, at + length, random.nextBoolean() ? (byte) 0xFF : (byte) 0x80);
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] result = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(insert, 0, result, at, insert.length);
        System.arraycopy(bytes, at + remove, result, at + insert.length, bytes.length - at - remove);
        return result;
    }
}

package io.jobstream.bench;

import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.SchemaRegistryServer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + decode of one {@link Job} with a 200-byte payload through {@link JobSerde}, per wire format.
 *
 * <p>The Confluent format talks to an in-process schema registry; the serde caches the schema id after the first
 * record, so the steady state measured here makes no HTTP calls (as in production). Target: under 2 µs per job.
 *
 * <pre>
 * ./mvnw -B -q package -pl bench -am -DskipTests
 * java -jar bench/target/benchmarks.jar SerdeBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 2,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SerdeBenchmark {
    private static final String TOPIC = "emails";

    @Param({"SINGLE_OBJECT", "CONFLUENT"})
    public SerdeConfig.WireFormat format;

    private SchemaRegistryServer registry;
    private JobSerde<Job> serde;
    private Job job;
    private byte[] encoded;

    @Setup(Level.Trial)
    public void setUp() {
        job = sampleJob();
        if (format == SerdeConfig.WireFormat.CONFLUENT) {
            registry = SchemaRegistryServer.start();
            serde = JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())));
        } else {
            serde = JobSerde.forJob(SerdeConfig.singleObject());
        }
        encoded = serde.encode(TOPIC, job);
        if (!serde.decode(TOPIC, null, encoded).equals(job)) {
            throw new IllegalStateException("round trip changed the job");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        serde.close();
        if (registry != null) {
            registry.close();
        }
    }

    /** One job encoded and decoded again: what a publish plus a consume costs in serialization. */
    @Benchmark
    public Job encodeAndDecode() {
        byte[] bytes = serde.encode(TOPIC, job);
        return serde.decode(TOPIC, null, bytes);
    }

    @Benchmark
    public byte[] encode() {
        return serde.encode(TOPIC, job);
    }

    @Benchmark
    public Job decode() {
        return serde.decode(TOPIC, null, encoded);
    }

    static Job sampleJob() {
        byte[] payload = new byte[200];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        Instant now = Instant.parse("2026-11-22T05:00:00.123Z");
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType("send_email")
                .setPayload(ByteBuffer.wrap(payload))
                .setContentType("application/json")
                .setOrderingKey("customer-42")
                .setAttempt(1)
                .setMaxAttempts(5)
                .setCreatedAt(now)
                .setHeaders(Map.of("tenant", "acme"))
                .build();
    }
}

package io.jobstream.producer;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.runtime.SchemaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.SerdeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link JobPublisher}'s settings (Kafka connection settings are {@link io.jobstream.runtime.KafkaSettings}).
 * Immutable; validated at construction, naming the key in every error.
 *
 * @param partitionStrategy how jobs are spread over the queue's partitions ({@code jobstream.publisher.partition-strategy})
 * @param maxPayloadSize the largest payload accepted, in bytes ({@code jobstream.publisher.max-payload-size})
 * @param delayTiers the delay tiers whose topics exist ({@code jobstream.publisher.delay-tiers})
 * @param serde how jobs are encoded (the {@code jobstream.schemas.*} keys of {@link SchemaSettings})
 * @param metadataTimeout how long a publish waits to learn whether a topic exists ({@code jobstream.publisher.metadata-timeout})
 * @param lagRefreshInterval how often the least-loaded lag snapshot is refreshed ({@code jobstream.publisher.lag-refresh-interval})
 * @param closeTimeout how long {@link JobPublisher#close()} waits for jobs in flight ({@code jobstream.publisher.close-timeout})
 * @param mirrorHeaders whether each record also carries the job id and type as headers ({@code
 *     jobstream.publisher.mirror-headers})
 */
public record PublisherConfig(
        PartitionStrategy partitionStrategy,
        long maxPayloadSize,
        DelayTiers delayTiers,
        SerdeConfig serde,
        Duration metadataTimeout,
        Duration lagRefreshInterval,
        Duration closeTimeout,
        boolean mirrorHeaders) {

    /** The partition strategy. */
    public static final ConfigKey<PartitionStrategy> PARTITION_STRATEGY = ConfigKey.enumKey(
                    "jobstream.publisher.partition-strategy", PartitionStrategy.class)
            .defaultValue(PartitionStrategy.HASH)
            .doc("How jobs are spread over the queue's partitions: hash (by ordering key, else job id; keeps order),"
                    + " round-robin (even spread, no order) or least-loaded (smallest consumer lag, no order).")
            .build();

    /** The payload size limit. */
    public static final ConfigKey<Long> MAX_PAYLOAD_SIZE = ConfigKey.sizeKey("jobstream.publisher.max-payload-size")
            .defaultValue(1024L * 1024L)
            .validator(ConfigValidator.range(1L, 64L * 1024 * 1024))
            .doc("Largest job payload accepted; a larger one is rejected (PAYLOAD_TOO_LARGE) before sending. Queue"
                    + " topics and the producer's max.request.size leave 64 KiB on top for the envelope.")
            .build();

    /** The delay tiers. */
    public static final ConfigKey<List<String>> DELAY_TIERS = ConfigKey.listKey("jobstream.publisher.delay-tiers")
            .defaultValue(DelayTiers.defaults().names())
            .validator(PublisherConfig::tierProblem)
            .doc("Delay tiers that have a `<queue>.delay.<tier>` topic; a job not yet due waits in the largest tier"
                    + " not longer than its remaining wait. Must match the tiers the queue's topics were created with.")
            .build();

    /** The topic metadata wait. */
    public static final ConfigKey<Duration> METADATA_TIMEOUT = ConfigKey.durationKey(
                    "jobstream.publisher.metadata-timeout")
            .defaultValue(Duration.ofSeconds(10))
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofMinutes(5)))
            .doc("How long the first publish to a topic waits to learn whether the topic exists (then cached);"
                    + " when the brokers do not answer in time the publish fails naming the bootstrap servers.")
            .build();

    /** The lag snapshot refresh interval. */
    public static final ConfigKey<Duration> LAG_REFRESH_INTERVAL = ConfigKey.durationKey(
                    "jobstream.publisher.lag-refresh-interval")
            .defaultValue(Duration.ofSeconds(5))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofHours(1)))
            .doc("How often the least-loaded strategy refreshes its snapshot of the workers' consumer lag.")
            .build();

    /** The close timeout. */
    public static final ConfigKey<Duration> CLOSE_TIMEOUT = ConfigKey.durationKey("jobstream.publisher.close-timeout")
            .defaultValue(Duration.ofSeconds(30))
            .validator(ConfigValidator.range(Duration.ZERO, Duration.ofHours(1)))
            .doc("How long closing the publisher waits for jobs in flight to be acknowledged; those still"
                    + " unacknowledged then fail.")
            .build();

    /** The mirrored id/type headers. */
    public static final ConfigKey<Boolean> MIRROR_HEADERS = ConfigKey.booleanKey("jobstream.publisher.mirror-headers")
            .defaultValue(false)
            .doc("Also write the job id and type as record headers (jobstream.job-id, jobstream.job-type) for tools"
                    + " that read headers only. Off by default: Kafka encodes header names per record, which cost"
                    + " about a third of a publish's CPU in docs/BENCHMARKS.md; the record key is the job id already"
                    + " (unless the job has an ordering key).")
            .build();

    /** Every key of the publisher, and the {@code jobstream.schemas.*} keys that say how jobs are encoded. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
                    PARTITION_STRATEGY,
                    MAX_PAYLOAD_SIZE,
                    DELAY_TIERS,
                    METADATA_TIMEOUT,
                    LAG_REFRESH_INTERVAL,
                    CLOSE_TIMEOUT,
                    MIRROR_HEADERS)
            .and(SchemaSettings.DEFINITION);

    /** Validates every field, naming its key. */
    public PublisherConfig {
        Objects.requireNonNull(partitionStrategy, PARTITION_STRATEGY.name());
        check(MAX_PAYLOAD_SIZE, maxPayloadSize);
        Objects.requireNonNull(delayTiers, DELAY_TIERS.name());
        Objects.requireNonNull(serde, SchemaSettings.WRITE_FORMAT.name());
        check(METADATA_TIMEOUT, Objects.requireNonNull(metadataTimeout, METADATA_TIMEOUT.name()));
        check(LAG_REFRESH_INTERVAL, Objects.requireNonNull(lagRefreshInterval, LAG_REFRESH_INTERVAL.name()));
        check(CLOSE_TIMEOUT, Objects.requireNonNull(closeTimeout, CLOSE_TIMEOUT.name()));
    }

    /** The defaults of every key. */
    public static PublisherConfig defaults() {
        return new PublisherConfig(
                PARTITION_STRATEGY.defaultValue().orElseThrow(),
                MAX_PAYLOAD_SIZE.defaultValue().orElseThrow(),
                DelayTiers.defaults(),
                SerdeConfig.singleObject(),
                METADATA_TIMEOUT.defaultValue().orElseThrow(),
                LAG_REFRESH_INTERVAL.defaultValue().orElseThrow(),
                CLOSE_TIMEOUT.defaultValue().orElseThrow(),
                MIRROR_HEADERS.defaultValue().orElseThrow());
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static PublisherConfig from(Config config) {
        SerdeConfig serde = SchemaSettings.from(config);
        return new PublisherConfig(
                config.get(PARTITION_STRATEGY),
                config.get(MAX_PAYLOAD_SIZE),
                DelayTiers.parse(config.get(DELAY_TIERS)),
                serde,
                config.get(METADATA_TIMEOUT),
                config.get(LAG_REFRESH_INTERVAL),
                config.get(CLOSE_TIMEOUT),
                config.get(MIRROR_HEADERS));
    }

    /** This config with another partition strategy. */
    public PublisherConfig withPartitionStrategy(PartitionStrategy strategy) {
        return new PublisherConfig(
                strategy,
                maxPayloadSize,
                delayTiers,
                serde,
                metadataTimeout,
                lagRefreshInterval,
                closeTimeout,
                mirrorHeaders);
    }

    /** This config with another payload limit, in bytes. */
    public PublisherConfig withMaxPayloadSize(long bytes) {
        return new PublisherConfig(
                partitionStrategy,
                bytes,
                delayTiers,
                serde,
                metadataTimeout,
                lagRefreshInterval,
                closeTimeout,
                mirrorHeaders);
    }

    /** This config with other delay tiers. */
    public PublisherConfig withDelayTiers(DelayTiers tiers) {
        return new PublisherConfig(
                partitionStrategy,
                maxPayloadSize,
                tiers,
                serde,
                metadataTimeout,
                lagRefreshInterval,
                closeTimeout,
                mirrorHeaders);
    }

    /**
     * The {@code max.request.size} a Kafka producer needs to send this config's largest job: the payload limit plus 64
     * KiB for the envelope, key and headers, at least 1 MiB (what {@link JobPublisher} sets unless told otherwise).
     */
    public long producerMaxRequestSize() {
        return Math.max(1024 * 1024, maxPayloadSize + JobPublisher.ENVELOPE_ALLOWANCE);
    }

    /** This config with another serde configuration. */
    public PublisherConfig withSerde(SerdeConfig serdeConfig) {
        return new PublisherConfig(
                partitionStrategy,
                maxPayloadSize,
                delayTiers,
                serdeConfig,
                metadataTimeout,
                lagRefreshInterval,
                closeTimeout,
                mirrorHeaders);
    }

    /** This config with another metadata timeout. */
    public PublisherConfig withMetadataTimeout(Duration timeout) {
        return new PublisherConfig(
                partitionStrategy,
                maxPayloadSize,
                delayTiers,
                serde,
                timeout,
                lagRefreshInterval,
                closeTimeout,
                mirrorHeaders);
    }

    /** This config with another lag refresh interval. */
    public PublisherConfig withLagRefreshInterval(Duration interval) {
        return new PublisherConfig(
                partitionStrategy,
                maxPayloadSize,
                delayTiers,
                serde,
                metadataTimeout,
                interval,
                closeTimeout,
                mirrorHeaders);
    }

    /** This config with another close timeout. */
    public PublisherConfig withCloseTimeout(Duration timeout) {
        return new PublisherConfig(
                partitionStrategy,
                maxPayloadSize,
                delayTiers,
                serde,
                metadataTimeout,
                lagRefreshInterval,
                timeout,
                mirrorHeaders);
    }

    /** This config with the mirrored id/type headers on or off. */
    public PublisherConfig withMirrorHeaders(boolean mirror) {
        return new PublisherConfig(
                partitionStrategy,
                maxPayloadSize,
                delayTiers,
                serde,
                metadataTimeout,
                lagRefreshInterval,
                closeTimeout,
                mirror);
    }

    private static Optional<String> tierProblem(List<String> tiers) {
        try {
            DelayTiers.parse(tiers);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("must be delay tiers like 1s, 5s, 30s, 2m, 10m, 1h, 6h: " + e.getMessage());
        }
    }

    private static <T> void check(ConfigKey<T> key, T value) {
        key.validator().problem(value).ifPresent(problem -> {
            throw new ConfigException(key.name() + " " + problem + ", got " + key.describe(value));
        });
    }
}

package io.jobstream.producer;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.runtime.SchemaSettings;
import io.jobstream.runtime.TopicSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.SerdeConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@link JobPublisher}'s settings (Kafka connection settings are {@link io.jobstream.runtime.KafkaSettings}).
 * Immutable and validated at construction by each key's rule: a bad value fails naming its key. Made by {@link
 * #builder()} or {@link #from(Config)}, copied with {@link #toBuilder()}.
 *
 * @param partitionStrategy how jobs are spread over the queue's partitions ({@code jobstream.publisher.partition-strategy})
 * @param maxPayloadSize the largest payload accepted, in bytes ({@code jobstream.publisher.max-payload-size})
 * @param delayTiers the delay tiers whose topics exist ({@code jobstream.topics.delay-tiers}, {@link TopicSettings})
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

    /**
     * Every key of the publisher, the shared delay tiers ({@link TopicSettings}) and the {@code jobstream.schemas.*}
     * keys that say how jobs are encoded.
     */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
                    PARTITION_STRATEGY,
                    MAX_PAYLOAD_SIZE,
                    METADATA_TIMEOUT,
                    LAG_REFRESH_INTERVAL,
                    CLOSE_TIMEOUT,
                    MIRROR_HEADERS)
            .and(TopicSettings.DEFINITION)
            .and(SchemaSettings.DEFINITION);

    /** Validates every field by its key's rule, naming the key. */
    public PublisherConfig {
        PARTITION_STRATEGY.check(partitionStrategy);
        MAX_PAYLOAD_SIZE.check(maxPayloadSize);
        TopicSettings.check(delayTiers);
        Objects.requireNonNull(serde, SchemaSettings.WRITE_FORMAT.name());
        METADATA_TIMEOUT.check(metadataTimeout);
        LAG_REFRESH_INTERVAL.check(lagRefreshInterval);
        CLOSE_TIMEOUT.check(closeTimeout);
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of every key. */
    public static PublisherConfig defaults() {
        return builder().build();
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static PublisherConfig from(Config config) {
        return builder()
                .partitionStrategy(config.get(PARTITION_STRATEGY))
                .maxPayloadSize(config.get(MAX_PAYLOAD_SIZE))
                .delayTiers(TopicSettings.delayTiers(config))
                .serde(SchemaSettings.from(config))
                .metadataTimeout(config.get(METADATA_TIMEOUT))
                .lagRefreshInterval(config.get(LAG_REFRESH_INTERVAL))
                .closeTimeout(config.get(CLOSE_TIMEOUT))
                .mirrorHeaders(config.get(MIRROR_HEADERS))
                .build();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return builder()
                .partitionStrategy(partitionStrategy)
                .maxPayloadSize(maxPayloadSize)
                .delayTiers(delayTiers)
                .serde(serde)
                .metadataTimeout(metadataTimeout)
                .lagRefreshInterval(lagRefreshInterval)
                .closeTimeout(closeTimeout)
                .mirrorHeaders(mirrorHeaders);
    }

    /**
     * The {@code max.request.size} a Kafka producer needs to send this config's largest job: the payload limit plus 64
     * KiB for the envelope, key and headers, at least 1 MiB (what {@link JobPublisher} sets unless told otherwise).
     */
    public long producerMaxRequestSize() {
        return Math.max(1024 * 1024, maxPayloadSize + JobPublisher.ENVELOPE_ALLOWANCE);
    }

    /** Builds a {@link PublisherConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private PartitionStrategy partitionStrategy =
                PARTITION_STRATEGY.defaultValue().orElseThrow();
        private long maxPayloadSize = MAX_PAYLOAD_SIZE.defaultValue().orElseThrow();
        private DelayTiers delayTiers = TopicSettings.defaultDelayTiers();
        private SerdeConfig serde = SerdeConfig.singleObject();
        private Duration metadataTimeout = METADATA_TIMEOUT.defaultValue().orElseThrow();
        private Duration lagRefreshInterval =
                LAG_REFRESH_INTERVAL.defaultValue().orElseThrow();
        private Duration closeTimeout = CLOSE_TIMEOUT.defaultValue().orElseThrow();
        private boolean mirrorHeaders = MIRROR_HEADERS.defaultValue().orElseThrow();

        private Builder() {}

        public Builder partitionStrategy(PartitionStrategy partitionStrategy) {
            this.partitionStrategy = partitionStrategy;
            return this;
        }

        /** The payload limit, in bytes. */
        public Builder maxPayloadSize(long maxPayloadSize) {
            this.maxPayloadSize = maxPayloadSize;
            return this;
        }

        public Builder delayTiers(DelayTiers delayTiers) {
            this.delayTiers = delayTiers;
            return this;
        }

        public Builder serde(SerdeConfig serde) {
            this.serde = serde;
            return this;
        }

        public Builder metadataTimeout(Duration metadataTimeout) {
            this.metadataTimeout = metadataTimeout;
            return this;
        }

        public Builder lagRefreshInterval(Duration lagRefreshInterval) {
            this.lagRefreshInterval = lagRefreshInterval;
            return this;
        }

        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** Whether each record also carries the job id and type as headers. */
        public Builder mirrorHeaders(boolean mirrorHeaders) {
            this.mirrorHeaders = mirrorHeaders;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public PublisherConfig build() {
            return new PublisherConfig(
                    partitionStrategy,
                    maxPayloadSize,
                    delayTiers,
                    serde,
                    metadataTimeout,
                    lagRefreshInterval,
                    closeTimeout,
                    mirrorHeaders);
        }
    }
}

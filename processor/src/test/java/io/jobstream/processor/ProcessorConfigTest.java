package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDocs;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {
    private static final KafkaSettings KAFKA =
            KafkaSettings.builder().bootstrapServers("localhost:9092").build();

    @Test
    void defaultsToTheQueuesWorkerGroupKeyOrderingAndCommitsEvery100Ms() {
        // When a config is built with only a queue
        ProcessorConfig config = ProcessorConfig.builder("emails", KAFKA).build();

        // Then every setting has its documented default
        assertThat(config.group()).isEqualTo("emails.workers");
        assertThat(config.ordering()).isEqualTo(OrderingMode.KEY);
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.concurrency()).isEqualTo(100);
        assertThat(config.maxPendingPerPartition()).isEqualTo(1000);
        assertThat(config.instanceId()).isEmpty();
        assertThat(config.workerId()).isNotBlank();
        assertThat(config.timeoutOf("anything")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void rejectsBadValuesNamingTheKey() {
        // Then each bad value fails naming its key
        assertThatThrownBy(() -> ProcessorConfig.builder("Bad_Queue", KAFKA).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.queue");
        assertThatThrownBy(() ->
                        ProcessorConfig.builder("emails", KAFKA).concurrency(0).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.concurrency");
        assertThatThrownBy(() -> ProcessorConfig.builder("emails", KAFKA)
                        .commitInterval(Duration.ZERO)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.commit-interval");
        assertThatThrownBy(() -> ProcessorConfig.builder("emails", KAFKA)
                        .typeTimeout("send_email", Duration.ZERO)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.type-timeouts.send_email");
        assertThatThrownBy(() -> ProcessorConfig.builder("emails", KAFKA)
                        .typeConcurrency("resize", -1)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.type-concurrency.resize");
    }

    @Test
    void readsEveryKeyFromALoadedConfig() {
        // Given a loaded config with every worker key set
        Config loaded = ConfigLoader.forDefinition(ProcessorConfig.DEFINITION.and(KafkaSettings.DEFINITION))
                .withOverrides(Map.of(
                        "jobstream.kafka.bootstrap-servers", "broker:9092",
                        "jobstream.worker.queue", "emails",
                        "jobstream.worker.group", "mailers",
                        "jobstream.worker.concurrency", 500,
                        "jobstream.worker.ordering", "partition",
                        "jobstream.worker.commit-interval", "250ms",
                        "jobstream.worker.type-timeouts", Map.of("send_email", "30s"),
                        "jobstream.worker.type-concurrency", Map.of("resize_image", "4"),
                        "jobstream.worker.instance-id", "worker-a",
                        "jobstream.worker.max-pending-per-partition", 50))
                .load();

        // When read
        ProcessorConfig config = ProcessorConfig.from(loaded);

        // Then every value is there, and the worker id defaults to the instance id
        assertThat(config.queue()).isEqualTo("emails");
        assertThat(config.group()).isEqualTo("mailers");
        assertThat(config.concurrency()).isEqualTo(500);
        assertThat(config.ordering()).isEqualTo(OrderingMode.PARTITION);
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.timeoutOf("send_email")).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.typeConcurrency()).containsEntry("resize_image", 4);
        assertThat(config.instanceId()).hasValue("worker-a");
        assertThat(config.workerId()).isEqualTo("worker-a");
        assertThat(config.maxPendingPerPartition()).isEqualTo(50);
    }

    @Test
    void readsTheCoordinationAndEventSettingsAndEachTypesRules() {
        // Given a config file with the coordination and event settings and the rules of one type
        Config loaded = ConfigLoader.forDefinition(ProcessorConfig.DEFINITION.and(KafkaSettings.DEFINITION))
                .withYaml("""
                        jobstream:
                          kafka:
                            bootstrap-servers: localhost:9092
                          topics:
                            delay-tiers: [1s, 1m]
                          worker:
                            queue: payments
                            events: all
                            coordination-wait: 500ms
                            defer-delay: 1s
                            idempotency-retention: 1d
                            types:
                              charge: {idempotent: true}
                        """)
                .withEnvironment(Map.of())
                .load();

        // When read
        ProcessorConfig config = ProcessorConfig.from(loaded);

        // Then every value is taken, and the type's rules are those CoordinationRules reads
        assertThat(config.events()).isEqualTo(EventLevel.ALL);
        assertThat(config.coordinationWait()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.deferDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.delayTiers()).isEqualTo(DelayTiers.of(Duration.ofSeconds(1), Duration.ofMinutes(1)));
        assertThat(config.idempotencyRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(config.typeRules()).isEqualTo(CoordinationRules.from(loaded));
        assertThat(config.rulesOf("charge").idempotent()).isTrue();
        assertThat(config.rulesOf("other")).isEqualTo(CoordinationRules.NONE);
    }

    @Test
    void defaultsAreOutcomeEventsATwoSecondWaitAndNoRules() {
        ProcessorConfig config = ProcessorConfig.builder("payments", KAFKA).build();

        assertThat(config.events()).isEqualTo(EventLevel.OUTCOMES);
        assertThat(config.coordinationWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.deferDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.delayTiers()).isEqualTo(DelayTiers.defaults());
        assertThat(config.typeRules()).isEmpty();
    }

    @Test
    void rejectsAnUnknownDelayTierAtLoadNamingTheKey() {
        ConfigLoader loader = ConfigLoader.forDefinition(ProcessorConfig.DEFINITION.and(KafkaSettings.DEFINITION))
                .withYaml("jobstream: {kafka: {bootstrap-servers: localhost:9092}, worker: {queue: payments}}")
                .withEnvironment(Map.of("JOBSTREAM_TOPICS_DELAY_TIERS", "1s,soon"));

        assertThatThrownBy(loader::load)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.topics.delay-tiers");
    }

    @Test
    void toBuilderCopiesEverySettingAndDerivesTheWorkerIdAgain() {
        // Given a config with settings of every kind, its worker id derived from the instance id
        ProcessorConfig config = ProcessorConfig.builder("emails", KAFKA)
                .concurrency(7)
                .typeTimeout("send_email", Duration.ofSeconds(30))
                .typeConcurrency("resize", 2)
                .typeRules(
                        "charge", CoordinationRules.builder().idempotent(true).build())
                .instanceId("w-1")
                .events(EventLevel.ALL)
                .build();

        // When copied, unchanged and with a new instance id
        ProcessorConfig same = config.toBuilder().build();
        ProcessorConfig moved = config.toBuilder().instanceId("w-2").build();

        // Then the copy equals the original, and the derived worker id follows the new instance id
        assertThat(same).isEqualTo(config);
        assertThat(moved.workerId()).isEqualTo("w-2");
        assertThat(moved.group()).isEqualTo("emails.workers");
        assertThat(moved.concurrency()).isEqualTo(7);
        assertThat(config.workerId()).isEqualTo("w-1");
    }

    @Test
    void rejectsAnUnreadablePerTypeValueNamingItsKey() {
        // Given a per-type timeout that is not a duration
        Config loaded = ConfigLoader.forDefinition(ProcessorConfig.DEFINITION.and(KafkaSettings.DEFINITION))
                .withOverrides(Map.of(
                        "jobstream.kafka.bootstrap-servers", "broker:9092",
                        "jobstream.worker.queue", "emails",
                        "jobstream.worker.type-timeouts", Map.of("send_email", "soon")))
                .load();

        // Then reading it fails naming the entry
        assertThatThrownBy(() -> ProcessorConfig.from(loaded))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.type-timeouts.send_email");
    }

    @Test
    void givesTheConsumerTheGroupStaticMembershipAndManualCommits() {
        // Given a config with an instance id
        ProcessorConfig config =
                ProcessorConfig.builder("emails", KAFKA).instanceId("w-1").build();

        // Then the consumer joins <queue>.workers with the KIP-848 protocol and commits by hand
        Map<String, Object> consumer = JobProcessor.consumerProperties(config);
        assertThat(consumer)
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "emails.workers")
                .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "w-1")
                .containsEntry(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        assertThat(JobProcessor.producerProperties(config))
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }

    @Test
    void readmeCarriesTheGeneratedConfigTable() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));

        // Then its table is the one generated from the keys
        String table = ConfigDocs.markdownTable(ProcessorConfig.DEFINITION);
        assertThat(readme).isEqualTo(ConfigDocs.replaceTable(readme, table));
    }
}

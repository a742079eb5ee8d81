package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.DelayTiers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueueTopicsTest {
    // An admin client that is never used to talk to a broker: plan() is pure.
    private final Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:1"));
    private final QueueTopics queueTopics = QueueTopics.using(admin);

    @AfterEach
    void closeAdmin() {
        admin.close(Duration.ZERO);
    }

    @Test
    void plansTheQueueAndEveryDerivedTopicWithItsPartitionsAndReplication() {
        List<NewTopic> plan = queueTopics.plan("emails", 6, 3);

        assertThat(plan)
                .extracting(NewTopic::name)
                .containsExactly(
                        "emails",
                        "emails.failed",
                        "emails.delay.1s",
                        "emails.delay.5s",
                        "emails.delay.30s",
                        "emails.delay.2m",
                        "emails.delay.10m",
                        "emails.delay.1h",
                        "emails.delay.6h",
                        "emails.dlq",
                        "emails.dlq.replayed",
                        "emails.events");
        assertThat(plan).allSatisfy(topic -> {
            assertThat(topic.numPartitions()).isEqualTo(6);
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
            assertThat(topic.configs()).containsEntry("min.insync.replicas", "2");
        });
    }

    @Test
    void keepsDeadLettersLongerAndCompactsEventsAndReplays() {
        Map<String, Map<String, String>> configs = configs(queueTopics.plan("emails", 1, 1));

        assertThat(configs.get("emails"))
                .containsEntry("cleanup.policy", "delete")
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(7).toMillis()))
                .containsEntry("max.message.bytes", Integer.toString(1024 * 1024 + 64 * 1024));
        assertThat(configs.get("emails.dlq"))
                .containsEntry("cleanup.policy", "delete")
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(30).toMillis()));
        assertThat(configs.get("emails.dlq.replayed")).containsEntry("cleanup.policy", "compact");
        assertThat(configs.get("emails.events")).containsEntry("cleanup.policy", "compact,delete");
        assertThat(configs.values()).allSatisfy(c -> assertThat(c).containsEntry("min.insync.replicas", "1"));
    }

    @Test
    void followsThePublishersTiersAndPayloadLimit() {
        PublisherConfig publisher = PublisherConfig.builder()
                .delayTiers(DelayTiers.parse(List.of("10s")))
                .maxPayloadSize(100_000)
                .build();

        Map<String, Map<String, String>> configs =
                configs(queueTopics.forPublisher(publisher).plan("q", 2, 2));

        assertThat(configs).containsOnlyKeys("q", "q.failed", "q.delay.10s", "q.dlq", "q.dlq.replayed", "q.events");
        assertThat(configs.get("q.delay.10s")).containsEntry("max.message.bytes", Integer.toString(100_000 + 65_536));
    }

    @Test
    void refusesToMakeAQueueOfADerivedOrInternalName() {
        for (String name : List.of("jobs.dlq", "jobs.failed", "jobs.delay.5s", "jobs.events", "jobstream.schedules")) {
            assertThatThrownBy(() -> queueTopics.plan(name, 1, 1))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be a queue");
        }
    }

    @Test
    void rejectsABadQueuePartitionCountOrReplicationFactor() {
        assertThatThrownBy(() -> queueTopics.plan("Bad_Queue", 1, 1)).hasMessageContaining("no '_'");
        assertThatThrownBy(() -> queueTopics.plan("q", 0, 1)).hasMessageContaining("partitions");
        assertThatThrownBy(() -> queueTopics.plan("q", 1, 0)).hasMessageContaining("replication");
    }

    private static Map<String, Map<String, String>> configs(List<NewTopic> plan) {
        return plan.stream()
                .collect(java.util.stream.Collectors.toMap(
                        NewTopic::name, NewTopic::configs, (a, b) -> a, java.util.LinkedHashMap::new));
    }
}

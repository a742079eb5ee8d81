package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobstreamException;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

@JobstreamTest
class QueueTopicsIT {

    @Test
    void createsEveryTopicOnceAndReportsExistingOnesAfterwards(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue whose main topic already exists
        String queue = names.unique("orders");
        kafka.createTopic(queue, 2, 1);
        QueueTopics queueTopics = QueueTopics.using(kafka.admin());

        // When its topics are created twice
        QueueTopicsResult first = queueTopics.create(queue, 2, 1);
        QueueTopicsResult second = queueTopics.create(queue, 2, 1);

        // Then the first run creates the 11 derived topics and keeps the existing one; the second creates none
        assertThat(first.existing()).containsExactly(queue);
        assertThat(first.created()).hasSize(11).contains(queue + ".dlq", queue + ".events", queue + ".delay.6h");
        assertThat(second.created()).isEmpty();
        assertThat(second.existing()).containsExactlyInAnyOrderElementsOf(first.topics());
        assertThat(kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS)).containsAll(first.topics());
        assertThat(kafka.partitions(queue + ".delay.1s")).hasSize(2);
    }

    @Test
    void givesTheDeadLetterQueueLongerRetentionAndCompactsEvents(KafkaCluster kafka, TestTopics names)
            throws Exception {
        String queue = names.unique("orders");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);

        assertThat(config(kafka, queue + ".dlq").get("retention.ms").value())
                .isEqualTo(Long.toString(Duration.ofDays(30).toMillis()));
        assertThat(config(kafka, queue).get("retention.ms").value())
                .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
        assertThat(config(kafka, queue + ".events").get("cleanup.policy").value())
                .isEqualTo("compact,delete");
        assertThat(config(kafka, queue + ".dlq.replayed").get("cleanup.policy").value())
                .isEqualTo("compact");
        assertThat(config(kafka, queue).get("min.insync.replicas").value()).isEqualTo("1");
    }

    @Test
    void failsNamingTheTopicWhenTheClusterCannotHoldTheReplicas(KafkaCluster kafka, TestTopics names) {
        String queue = names.unique("orders");

        assertThatThrownBy(() -> QueueTopics.using(kafka.admin()).create(queue, 1, 3))
                .isInstanceOf(JobstreamException.class)
                .hasMessageContaining(queue + ": ")
                .hasMessageContaining("replication");
    }

    private static Config config(KafkaCluster kafka, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return kafka.admin()
                .describeConfigs(List.of(resource))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(resource);
    }
}

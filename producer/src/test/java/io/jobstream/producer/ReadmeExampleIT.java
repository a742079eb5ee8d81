package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The README's examples, run as written (only the queue name and bootstrap servers differ). */
@JobstreamTest
class ReadmeExampleIT {

    record Email(String to, String subject) {}

    @Test
    void readmeExampleRuns(KafkaCluster kafka, TestTopics names) throws Exception {
        String queue = names.unique("emails");
        Map<String, String> env = Map.of("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());

        // README: configuration
        Config config = ConfigLoader.forDefinition(KafkaSettings.DEFINITION.and(PublisherConfig.DEFINITION))
                .withEnvironment(env) // README: omitted (reads the process environment)
                .load();
        KafkaSettings kafkaSettings = KafkaSettings.from(config);
        PublisherConfig publisherConfig = PublisherConfig.from(config);

        // README: topics
        try (QueueTopics topics = QueueTopics.connect(kafkaSettings).forPublisher(publisherConfig)) {
            QueueTopicsResult result = topics.create(queue, 6, 1);
            System.out.println("created " + result.created() + ", already there " + result.existing());
        }

        // README: publishing
        try (JobPublisher publisher = JobPublisher.create(publisherConfig, kafkaSettings)) {
            Job job = Jobs.builder("send_email")
                    .payload(new Email("a@example.com", "Welcome"))
                    .orderingKey("customer-42")
                    .ttl(Duration.ofHours(1))
                    .maxAttempts(5)
                    .build();
            JobReceipt receipt = publisher.publishSync(queue, job);
            System.out.println(
                    receipt.jobId() + " at " + receipt.topic() + "/" + receipt.partition() + "@" + receipt.offset());

            CompletableFuture<JobReceipt> later = publisher.publish(
                    queue,
                    Jobs.builder("send_digest").delay(Duration.ofMinutes(10)).build());
            System.out.println("delayed in " + later.join().topic()); // emails.delay.10m

            List<PublishOutcome> outcomes = publisher
                    .publishAll(
                            queue,
                            List.of(Jobs.builder("a").build(), Jobs.builder("b").build()))
                    .join();
            for (PublishOutcome outcome : outcomes) {
                switch (outcome) {
                    case PublishOutcome.Published p ->
                        System.out.println("ok " + p.receipt().offset());
                    case PublishOutcome.Rejected r ->
                        System.out.println("fix the job: " + r.error().reason());
                    case PublishOutcome.Failed f ->
                        System.out.println("retry later: " + f.error().getMessage());
                }
            }

            // README: checks (not in the README)
            assertThat(receipt.topic()).isEqualTo(queue);
            assertThat(later.join().topic()).isEqualTo(queue + ".delay.10m");
            assertThat(outcomes).allMatch(PublishOutcome::isPublished);
        }
    }
}

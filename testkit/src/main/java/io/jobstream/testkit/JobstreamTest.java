package io.jobstream.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that uses the shared Kafka cluster, Redis server and unique topic names of
 * {@link JobstreamExtension}: declare parameters of type {@link KafkaCluster}, {@link RedisServer} or
 * {@link TestTopics}.
 *
 * <pre>{@code
 * @JobstreamTest
 * class JobPublisherIT {
 *     @Test
 *     void publishesWithAcksAll(KafkaCluster kafka, TestTopics topics) {
 *         String queue = topics.create("jobs", 3);
 *         ...
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(JobstreamExtension.class)
public @interface JobstreamTest {}

package io.jobstream.dlq;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md finding 4: a router whose Streams client is RUNNING and whose group is stable, but which routes
 * nothing while failures wait. Here its stream thread is held inside the routing of a failure (the jitter source blocks),
 * which is what the finding's router looked like from outside; the watchdog must report it on {@code /ready} (and so
 * make the process exit), and clear once the router routes again.
 */
@JobstreamTest
class RouterStallIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path stateDir;

    /** A jitter source that holds the calling thread while a gate is closed. */
    private static final class GatedRandom implements RandomGenerator {
        private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
        private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");

        void close() {
            gate.set(new CountDownLatch(1));
        }

        void open() {
            gate.get().countDown();
        }

        @Override
        public synchronized long nextLong() {
            try {
                if (!gate.get().await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return random.nextLong();
        }
    }

    @Test
    void aRouterHeldWhileFailuresWaitIsReportedStalledAndClearsWhenItRoutesAgain(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a queue whose router routed one failure, with a stall timeout of 10 s checked every second
        String queue = topics.unique("jobs");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        GatedRandom random = new GatedRandom();
        DlqServiceConfig config = DlqServiceConfig.builder(List.of(queue))
                .tiers(TIERS)
                .retry(new RetryPolicies(
                        new RetryPolicy(
                                5,
                                new Backoff(Duration.ofMillis(500), 1.0, Duration.ofMillis(500), Backoff.Jitter.FULL),
                                Set.of(),
                                Set.of()),
                        Map.of()))
                .stateDir(stateDir)
                .routerStallTimeout(Duration.ofSeconds(10))
                .build();
        try (DlqService service = DlqService.builder(
                                config,
                                KafkaSettings.builder()
                                        .bootstrapServers(kafka.bootstrapServers())
                                        .build())
                        .serdes(SERDES)
                        .registry(new SimpleMeterRegistry())
                        .random(random)
                        .watchdogInterval(Duration.ofSeconds(1))
                        .build()
                        .start();
                ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue)) {
            await().atMost(WAIT).until(service::isRunning);
            ItKafka.sendFailure(kafka, queue, failure(job("flaky", 1), queue, Instant.now()));
            await().atMost(WAIT).until(onQueue::poll, received -> received.size() == 1);

            // When the router's thread is held in the routing of the next failure, and one more waits behind it
            random.close();
            ItKafka.sendFailure(kafka, queue, failure(job("flaky", 1), queue, Instant.now()));
            ItKafka.sendFailure(kafka, queue, failure(job("flaky", 1), queue, Instant.now()));

            // Then, while its Streams client still says RUNNING (the only problem listed is the stall), the service
            // reports the router stalled with 2 failures waiting
            await().atMost(WAIT).until(() -> !service.problems().isEmpty());
            assertThat(service.problems())
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .startsWith("router " + queue + " stalled: 2 failures waiting in [" + Topics.failed(queue) + "-0]")
                    .contains("none routed since");
            assertThat(service.isRunning()).isFalse();
            assertThat(service.readinessCheck().check())
                    .isInstanceOfSatisfying(CheckResult.Down.class, down -> assertThat(down.reason())
                            .contains("router " + queue + " stalled"));

            // And when the thread is let go, both failures are routed and the problem clears
            random.open();
            await().atMost(WAIT).until(onQueue::poll, received -> received.size() == 3);
            await().atMost(WAIT).until(() -> service.problems().isEmpty());
            assertThat(service.isRunning()).isTrue();
        } finally {
            random.open();
        }
    }
}

package io.jobstream.dev.internal;

import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.Jobs;
import io.jobstream.schemas.Job;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steady workload of {@code jobstream dev --demo}, for the built-in handlers: mostly {@code log} and {@code sleep}
 * jobs, some failing once (retried, then succeeding), some failing always (dead-lettered after 2 attempts, which
 * fires a dead-letter alert in the log) and some delayed — so lag, retries, the DLQ, alerts and job status all have
 * something to show at once. Publishes from one scheduler thread; a failed publish is counted and logged, never fatal.
 */
public final class DemoWorkload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoWorkload.class);

    private final JobPublisher publisher;
    private final String queue;
    private final RandomGenerator random;
    private final ScheduledExecutorService timer;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private DemoWorkload(JobPublisher publisher, String queue, RandomGenerator random) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.random = Objects.requireNonNull(random, "random");
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("jobstream-demo").daemon().factory());
    }

    /** Starts publishing about {@code perSecond} jobs a second to {@code queue}. */
    public static DemoWorkload start(JobPublisher publisher, String queue, int perSecond, RandomGenerator random) {
        if (perSecond < 1 || perSecond > 1_000) {
            throw new IllegalArgumentException("demo rate must be 1..1000 jobs/s, got " + perSecond);
        }
        DemoWorkload demo = new DemoWorkload(publisher, queue, random);
        long periodMicros = 1_000_000L / perSecond;
        demo.timer.scheduleAtFixedRate(demo::publishOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        return demo;
    }

    /** The next demo job: the mix described in the class comment, numbered {@code n}. */
    static Job next(long n, RandomGenerator random) {
        int pick = random.nextInt(100);
        if (pick < 55) {
            return Jobs.builder("log").jsonPayload("{\"demo\":" + n + "}").build();
        }
        if (pick < 75) {
            return Jobs.builder("sleep")
                    .jsonPayload("{\"ms\":" + (20 + random.nextInt(480)) + "}")
                    .build();
        }
        if (pick < 87) {
            return Jobs.builder("fail").jsonPayload("{\"times\":1}").build();
        }
        if (pick < 92) {
            return Jobs.builder("fail")
                    .jsonPayload("{\"always\":true}")
                    .maxAttempts(2)
                    .build();
        }
        return Jobs.builder("log")
                .jsonPayload("{\"demo\":" + n + ",\"delayed\":true}")
                .delay(Duration.ofSeconds(5 + random.nextInt(26)))
                .build();
    }

    private void publishOne() {
        long n = published.incrementAndGet();
        try {
            publisher.publish(queue, next(n, random)).whenComplete((receipt, error) -> {
                if (error != null && failed.incrementAndGet() % 100 == 1) {
                    LOG.warn("demo publish failed ({} so far): {}", failed.get(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            if (failed.incrementAndGet() % 100 == 1) {
                LOG.warn("demo publish failed ({} so far): {}", failed.get(), e.toString());
            }
        }
    }

    /** Jobs handed to the publisher so far. */
    public long published() {
        return published.get();
    }

    /** Stops publishing (jobs already handed over are the publisher's to finish). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

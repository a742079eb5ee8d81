package io.jobstream.scheduler;

import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.coordination.CoordinationUnavailableException;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.KafkaSettings;
import java.time.Duration;
import java.util.List;

/**
 * A scheduler replica in a JVM of its own, for tests that kill it with SIGKILL. Arguments: bootstrap servers, Redis
 * URI, queue, schedule name, marker topic. It fires an {@code @every 1s} schedule (leader lease 2 s, checks every 100 ms, grace
 * 1 min) and logs its leadership changes. The process halts when its stdin closes (the test JVM died).
 */
public final class SchedulerChild {
    private SchedulerChild() {}

    public static void main(String[] args) {
        String bootstrap = args[0];
        String redisUri = args[1];
        String queue = args[2];
        String scheduleName = args[3];
        String markerTopic = args[4];
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for EOF
                }
            } catch (java.io.IOException e) {
                // the parent is gone either way
            }
            Runtime.getRuntime().halt(3);
        });
        SchedulerConfig config =
                SchedulerConfig.of(List.of(Schedule.of(scheduleName, "@every 1s", queue, "noop"))).toBuilder()
                        .leaderLease(Duration.ofSeconds(2))
                        .checkInterval(Duration.ofMillis(100))
                        .misfireGrace(Duration.ofMinutes(1))
                        .markerTopic(markerTopic)
                        .build();
        KafkaSettings kafka =
                KafkaSettings.builder().bootstrapServers(bootstrap).build();
        Coordination coordination = connect(redisUri);
        CronScheduler.create(config, kafka, PublisherConfig.defaults(), coordination)
                .start();
        System.out.println("started");
    }

    /** Connects to Redis, trying again for up to a minute (a loaded test machine can be slow to answer). */
    private static Coordination connect(String redisUri) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                return Coordination.redis(CoordinationConfig.of(redisUri));
            } catch (CoordinationUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println("redis not reachable yet: " + e.getMessage());
            }
        }
    }
}

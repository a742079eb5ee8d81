package io.jobstream.dlq;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A dlq-service in its own JVM, for {@link DlqServiceCrashIT}: {@code main(bootstrap, queue, stateDir)}. Prints
 * {@code STARTED} once started; exits when its stdin closes (so it never outlives the test JVM).
 */
public final class DlqServiceProcess {
    static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** "retry" jobs: 5 attempts, 200 ms apart; all others the defaults. */
    static final RetryPolicies POLICIES = new RetryPolicies(
            RetryPolicy.DEFAULT,
            Map.of(
                    "retry",
                    new RetryPolicy(
                            5,
                            new Backoff(Duration.ofMillis(200), 1.0, Duration.ofMillis(200), Backoff.Jitter.NONE),
                            Set.of(),
                            Set.of())));

    private DlqServiceProcess() {}

    public static void main(String[] args) throws IOException {
        DlqServiceConfig config = DlqServiceConfig.builder(List.of(args[1]))
                .tiers(TIERS)
                .retry(POLICIES)
                .historyLimit(20)
                .stateDir(Path.of(args[2]))
                .maxPollWait(Duration.ofMillis(500))
                .forwarderRetryBackoff(Duration.ofMillis(500))
                .build();
        KafkaSettings kafka = KafkaSettings.builder()
                .bootstrapServers(args[0])
                // the router's group forgets a killed member after 6 s instead of 45 s
                .property("main.consumer.session.timeout.ms", "6000")
                .build();
        DlqService service = DlqService.builder(config, kafka).build().start();
        try {
            System.out.println("STARTED");
            System.out.flush();
            while (System.in.read() != -1) {
                // wait for the parent to close stdin (or die)
            }
        } finally {
            service.close(Duration.ofSeconds(10));
        }
    }
}

package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The README's example, run against the in-memory store (the Redis one behaves the same: see the contract). */
class ReadmeExampleTest {

    private final List<Long> ledger = new ArrayList<>();
    private final List<String> handled = new ArrayList<>();
    private int stripeCalls;

    @Test
    void theReadmeExampleRuns() throws Exception {
        ConcurrentLinkedQueue<String> leadership = new ConcurrentLinkedQueue<>();
        try (Coordination coordination = Coordination.inMemory(Clock.systemUTC())) {
            Optional<Lock> acquired =
                    coordination.locks().tryAcquire("account-42", Duration.ofSeconds(30), Duration.ofSeconds(5));
            try (Lock lock = acquired.orElseThrow()) {
                ledger.add(lock.fencingToken());
            }

            Semaphore stripe = coordination.semaphore("stripe-api", 100);
            try (Permit permit = stripe.acquire(Duration.ofSeconds(2)).orElseThrow()) {
                stripeCalls++;
            }

            RateLimiter smtp = coordination.rateLimiter("smtp", 50, 10);
            Optional<Duration> waited = smtp.acquire(Duration.ofSeconds(1));

            for (int delivery = 0; delivery < 2; delivery++) {
                switch (coordination.idempotencyGuard().claim("job-1", Duration.ofMinutes(5))) {
                    case Claim.Acquired claim -> {
                        handled.add(claim.jobId());
                        claim.markDone(Duration.ofDays(7));
                    }
                    case Claim.AlreadyDone done -> handled.add("skipped " + done.jobId());
                    case Claim.InProgressElsewhere busy -> handled.add("deferred " + busy.jobId());
                }
            }

            try (LeaderElection election =
                    coordination.leaderElection("scheduler", Duration.ofSeconds(15), new LeadershipListener() {
                        @Override
                        public void onGranted(long fencingToken) {
                            leadership.add("granted");
                        }

                        @Override
                        public void onRevoked() {
                            leadership.add("revoked");
                        }
                    })) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(election::isLeader);
            }

            assertThat(ledger).hasSize(1);
            assertThat(stripeCalls).isEqualTo(1);
            assertThat(waited).isPresent();
            assertThat(handled).containsExactly("job-1", "skipped job-1");
            assertThat(leadership).containsExactly("granted", "revoked");
        }
    }
}

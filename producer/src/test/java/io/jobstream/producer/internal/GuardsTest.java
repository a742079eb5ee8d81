package io.jobstream.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.producer.JobReceipt;
import io.jobstream.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-process memories of the API: replayed signatures, idempotency keys, rate limits. */
class GuardsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));

    @Test
    void replayGuardRefusesTheSameSignatureWithinItsWindowOnly() {
        // Given a guard and a signature seen once
        ReplayGuard guard = new ReplayGuard(10, clock);
        assertThat(guard.firstUse("stripe/1.abc", Duration.ofMinutes(10))).isTrue();

        // When it is seen again within the window, then it is a replay
        clock.advance(Duration.ofMinutes(9));
        assertThat(guard.firstUse("stripe/1.abc", Duration.ofMinutes(10))).isFalse();

        // And after the window it is accepted again (the timestamp check refuses it by then)
        clock.advance(Duration.ofMinutes(2));
        assertThat(guard.firstUse("stripe/1.abc", Duration.ofMinutes(10))).isTrue();
    }

    @Test
    void replayGuardForgetsASignatureWhoseRequestWasNotEnqueued() {
        ReplayGuard guard = new ReplayGuard(10, clock);
        guard.firstUse("k", Duration.ofMinutes(10));

        guard.forget("k");

        assertThat(guard.firstUse("k", Duration.ofMinutes(10))).isTrue();
    }

    @Test
    void idempotencyCacheSharesTheFirstOutcomeAndReleasesAKeyWhosePublishFailed() {
        // Given a key claimed once
        IdempotencyCache cache = new IdempotencyCache(10, Duration.ofHours(1), clock);
        IdempotencyCache.Claim first = cache.claim("q/k");
        IdempotencyCache.Claim repeat = cache.claim("q/k");

        // Then the repeat waits for the same outcome
        assertThat(first.first()).isTrue();
        assertThat(repeat.first()).isFalse();
        assertThat(repeat.receipt()).isSameAs(first.receipt());

        // When the first publish fails, then the next claim publishes again
        first.receipt().completeExceptionally(new IllegalStateException("broker down"));
        assertThat(cache.claim("q/k").first()).isTrue();
    }

    @Test
    void idempotencyCacheForgetsKeysAfterRetentionAndBeyondCapacity() {
        IdempotencyCache cache = new IdempotencyCache(2, Duration.ofHours(1), clock);
        cache.claim("a").receipt().complete(receipt("a"));
        cache.claim("b").receipt().complete(receipt("b"));
        cache.claim("c").receipt().complete(receipt("c"));

        // Then the oldest beyond capacity is forgotten
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.claim("b").first()).isFalse();
        assertThat(cache.claim("a").first()).isTrue();

        // And every key is forgotten after the retention
        clock.advance(Duration.ofHours(2));
        assertThat(cache.claim("b").first()).isTrue();
    }

    @Test
    void rateLimitAllowsTheBurstThenAsksToWaitPerClient() {
        // Given 2 requests/s with a burst of 3
        AtomicLong nanos = new AtomicLong();
        RateLimits limits = new RateLimits(2, 3, nanos::get);

        // When a client makes 4 requests at once
        for (int i = 0; i < 3; i++) {
            assertThat(limits.tryAcquire("ci")).isEmpty();
        }
        Optional<Duration> wait = limits.tryAcquire("ci");

        // Then the 4th must wait half a second, while another client is unaffected
        assertThat(wait).contains(Duration.ofMillis(500));
        assertThat(io.jobstream.runtime.http.HttpResponse.retryAfterSeconds(wait.orElseThrow()))
                .isEqualTo(1);
        assertThat(limits.tryAcquire("other")).isEmpty();

        // And after half a second one more request is allowed
        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(limits.tryAcquire("ci")).isEmpty();
    }

    @Test
    void rateLimitZeroMeansNoLimit() {
        RateLimits limits = new RateLimits(0, 1, () -> 0L);
        for (int i = 0; i < 100; i++) {
            assertThat(limits.tryAcquire("ci")).isEmpty();
        }
    }

    private static JobReceipt receipt(String id) {
        return new JobReceipt(id, "q", "q", 0, 0, Instant.EPOCH, Optional.empty());
    }
}

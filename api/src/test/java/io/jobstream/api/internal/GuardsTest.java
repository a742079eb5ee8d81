package io.jobstream.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.coordination.Coordination;
import io.jobstream.producer.JobReceipt;
import io.jobstream.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The memories of the API: webhook deliveries, idempotency keys, rate limits. */
class GuardsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));

    @Test
    void aWebhookDeliveryIsPublishedOnceWithinItsWindowAndAgainOnlyIfItWasNotPublished() {
        // Given deliveries remembered in the in-memory coordination store
        try (Coordination coordination = Coordination.inMemory(clock)) {
            WebhookDeliveries deliveries = new WebhookDeliveries(coordination.idempotencyGuard());

            // When a delivery is published, then the same delivery is a duplicate within the window
            var first = (WebhookDeliveries.First) deliveries.admit("01JOBA");
            deliveries.published(first, Duration.ofMinutes(10));
            clock.advance(Duration.ofMinutes(9));
            assertThat(deliveries.admit("01JOBA")).isInstanceOf(WebhookDeliveries.Duplicate.class);

            // And one whose publish failed may be sent again at once; one in progress is answered as such
            var failed = (WebhookDeliveries.First) deliveries.admit("01JOBB");
            assertThat(deliveries.admit("01JOBB")).isInstanceOf(WebhookDeliveries.InProgress.class);
            deliveries.notPublished(failed);
            assertThat(deliveries.admit("01JOBB")).isInstanceOf(WebhookDeliveries.First.class);

            // And after the window the first one is forgotten
            clock.advance(Duration.ofMinutes(2));
            assertThat(deliveries.admit("01JOBA")).isInstanceOf(WebhookDeliveries.First.class);
        }
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
    void idempotencyKeysAreScopedByTokenAndQueueAndAnotherBodyIsAConflict() {
        // Given a key claimed by token a on queue q with a body
        IdempotencyCache cache = new IdempotencyCache(10, Duration.ofHours(1), clock);
        byte[] body = IdempotencyScope.fingerprint("{\"type\":\"charge\"}".getBytes(StandardCharsets.UTF_8));
        byte[] other = IdempotencyScope.fingerprint("{\"type\":\"refund\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(cache.claim(IdempotencyScope.cacheKey("a", "q", "k"), body).first())
                .isTrue();

        // When it is reused with the same body, with another body, by another token and on another queue
        IdempotencyCache.Claim same = cache.claim(IdempotencyScope.cacheKey("a", "q", "k"), body);
        IdempotencyCache.Claim changed = cache.claim(IdempotencyScope.cacheKey("a", "q", "k"), other);
        IdempotencyCache.Claim otherToken = cache.claim(IdempotencyScope.cacheKey("b", "q", "k"), other);
        IdempotencyCache.Claim otherQueue = cache.claim(IdempotencyScope.cacheKey("a", "q2", "k"), other);

        // Then only the same body replays; another body conflicts; other scopes are first uses with other job ids
        assertThat(same.first()).isFalse();
        assertThat(same.conflict()).isFalse();
        assertThat(changed.conflict()).isTrue();
        assertThat(otherToken.first()).isTrue();
        assertThat(otherQueue.first()).isTrue();
        assertThat(IdempotencyScope.idPrefix("a", "q")).isNotEqualTo(IdempotencyScope.idPrefix("b", "q"));
        assertThat(IdempotencyScope.idPrefix(IdempotencyScope.ANONYMOUS, "q")).isEqualTo("q");
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

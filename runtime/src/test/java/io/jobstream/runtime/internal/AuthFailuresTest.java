package io.jobstream.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Failed authentications per address, on a fake clock. */
class AuthFailuresTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AuthFailures failures = new AuthFailures(3, Duration.ofMinutes(1), now::get);

    @Test
    void anAddressIsRefusedOnlyOnceItReachesTheLimitAndOnlyUntilItsWindowEnds() {
        failures.record("10.0.0.1");
        failures.record("10.0.0.1");
        assertThat(failures.refusedFor("10.0.0.1")).isEmpty();

        failures.record("10.0.0.1");
        now.addAndGet(Duration.ofSeconds(20).toNanos());

        assertThat(failures.refusedFor("10.0.0.1")).contains(Duration.ofSeconds(40));
        assertThat(failures.refusedFor("10.0.0.2")).isEmpty();

        now.addAndGet(Duration.ofSeconds(40).toNanos());
        assertThat(failures.refusedFor("10.0.0.1")).isEmpty();
    }

    @Test
    void aNewWindowStartsCountingAfresh() {
        failures.record("10.0.0.1");
        failures.record("10.0.0.1");
        now.addAndGet(Duration.ofMinutes(2).toNanos());

        failures.record("10.0.0.1");

        assertThat(failures.refusedFor("10.0.0.1")).isEmpty();
    }

    @Test
    void aFloodOfAddressesIsBounded() {
        for (int i = 0; i < AuthFailures.MAX_ADDRESSES + 10; i++) {
            failures.record("addr-" + i);
        }
        failures.record("10.0.0.9");
        failures.record("10.0.0.9");
        failures.record("10.0.0.9");

        assertThat(failures.refusedFor("10.0.0.9")).isPresent();
    }
}

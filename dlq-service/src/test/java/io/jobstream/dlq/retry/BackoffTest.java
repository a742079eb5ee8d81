package io.jobstream.dlq.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {
    private static RandomGenerator drawing(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @ParameterizedTest(name = "attempt {0} -> ceiling {1}")
    @CsvSource({"1, PT1S", "2, PT2S", "3, PT4S", "4, PT8S", "12, PT34M8S", "13, PT1H", "1000, PT1H", "0, PT1S"})
    void ceilingGrowsExponentiallyUpToTheMax(int attempt, Duration ceiling) {
        assertThat(Backoff.DEFAULT.ceiling(attempt)).isEqualTo(ceiling);
    }

    @Test
    void fullJitterDrawsBetweenZeroAndTheCeiling() {
        // Given the default backoff (full jitter) and attempt 3 (ceiling 4 s)
        Backoff backoff = Backoff.DEFAULT;
        // Then the lowest draw waits nothing, the highest the whole ceiling, the middle half of it
        assertThat(backoff.delay(3, drawing(0.0))).isEqualTo(Duration.ZERO);
        assertThat(backoff.delay(3, drawing(0.5))).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3, drawing(0.999_999_9))).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void equalJitterNeverWaitsLessThanHalfTheCeiling() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Backoff.Jitter.EQUAL);
        assertThat(backoff.delay(3, drawing(0.0))).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3, drawing(0.5))).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.delay(3, drawing(0.999_999_9))).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void noJitterWaitsExactlyTheCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), 3.0, Duration.ofSeconds(5), Backoff.Jitter.NONE);
        assertThat(backoff.delay(1, drawing(0.3))).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(2, drawing(0.3))).isEqualTo(Duration.ofMillis(600));
        assertThat(backoff.delay(5, drawing(0.3))).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, 2.0, Duration.ofSeconds(1), Backoff.Jitter.FULL))
                .hasMessageContaining("initial");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1), Backoff.Jitter.FULL))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(1), Backoff.Jitter.FULL))
                .hasMessageContaining("max");
    }
}

package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UlidTest {
    @Test
    void encodesTheTimestampInTheFirstTenCharacters() {
        // Given a generator at a known time
        Instant now = Instant.parse("2026-11-22T06:00:00.123Z");
        Ulid.Generator generator = Ulid.generator(Clock.fixed(now, ZoneOffset.UTC), new Random(1));

        // When it makes an id / Then the id is a valid ULID carrying that time
        String id = generator.next();
        assertThat(id).hasSize(26).matches("[0-7][0-9A-HJKMNP-TV-Z]{25}");
        assertThat(Ulid.isValid(id)).isTrue();
        assertThat(Ulid.timestamp(id)).isEqualTo(now);
    }

    @Test
    void isStrictlyIncreasingWithinAMillisecondAndWhenTheClockStepsBack() {
        // Given a clock that stands still, then steps back
        ManualClock clock = new ManualClock(Instant.parse("2026-11-22T06:00:00Z"));
        Ulid.Generator generator = Ulid.generator(clock, new Random(2));
        List<String> ids = new ArrayList<>();

        // When ids are made
        for (int i = 0; i < 1000; i++) {
            ids.add(generator.next());
        }
        clock.advance(Duration.ofSeconds(-10));
        for (int i = 0; i < 1000; i++) {
            ids.add(generator.next());
        }

        // Then they sort in creation order, with no duplicates
        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theDefaultGeneratorIsUniqueAcrossThreads() throws Exception {
        Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    ids.add(Ulid.next());
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(ids).hasSize(40_000);
    }

    @Test
    void fromNameIsDeterministicAndValid() {
        String a = Ulid.fromName("jobs/0/42");
        assertThat(Ulid.fromName("jobs/0/42")).isEqualTo(a);
        assertThat(Ulid.fromName("jobs/0/43")).isNotEqualTo(a);
        assertThat(Ulid.isValid(a)).isTrue();
        Set<String> many = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            many.add(Ulid.fromName("jobs/0/" + i));
        }
        assertThat(many).hasSize(10_000);
    }

    @Test
    void rejectsWhatIsNotAUlid() {
        assertThat(Ulid.isValid(null)).isFalse();
        assertThat(Ulid.isValid("")).isFalse();
        assertThat(Ulid.isValid("01JD2Y8Z3K4M5N6P7Q8R9S0TV")).isFalse(); // 25 characters
        assertThat(Ulid.isValid("01JD2Y8Z3K4M5N6P7Q8R9S0TVU")).isFalse(); // U is not Crockford
        assertThat(Ulid.isValid("81JD2Y8Z3K4M5N6P7Q8R9S0TVW")).isFalse(); // overflows 128 bits
        assertThat(Ulid.isValid("01jd2y8z3k4m5n6p7q8r9s0tvw")).isTrue(); // case-insensitive
        assertThatThrownBy(() -> Ulid.timestamp("nope")).isInstanceOf(IllegalArgumentException.class);
    }
}

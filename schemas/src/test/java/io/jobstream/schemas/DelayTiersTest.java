package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DelayTiersTest {
    private final DelayTiers tiers = DelayTiers.defaults();

    @Test
    void defaultsAreTheSevenDocumentedTiersShortestFirst() {
        assertThat(tiers.names()).containsExactly("1s", "5s", "30s", "2m", "10m", "1h", "6h");
        assertThat(tiers.smallest()).isEqualTo(Duration.ofSeconds(1));
        assertThat(tiers.largest()).isEqualTo(Duration.ofHours(6));
    }

    @ParameterizedTest(name = "{0} waits in {1}")
    @CsvSource({
        "PT1S, 1s",
        "PT4.8S, 1s",
        "PT4.95S, 5s",
        "PT9M59.99S, 10m",
        "PT5S, 5s",
        "PT29S, 5s",
        "PT30S, 30s",
        "PT1M59S, 30s",
        "PT2M, 2m",
        "PT9M, 2m",
        "PT10M, 10m",
        "PT59M, 10m",
        "PT1H, 1h",
        "PT5H59M, 1h",
        "PT6H, 6h",
        "PT240H, 6h"
    })
    void picksTheLargestTierNotLongerThanTheRemainingWait(Duration remaining, String tier) {
        // When a job waits `remaining`, Then it goes to the largest tier that cannot hold it past its due time
        assertThat(tiers.tierFor(remaining)).map(Topics::tierName).contains(tier);
    }

    @ParameterizedTest
    @CsvSource({"PT0.899S", "PT0.001S"})
    void aWaitShorterThanTheSmallestTierGoesToTheSmallestTierNeverEarly(Duration remaining) {
        // When a job still has to wait, however little, Then a tier holds it (the forwarder releases it when due)
        assertThat(tiers.tierFor(remaining)).contains(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @CsvSource({"PT0S", "PT-5S"})
    void aJobWithNothingLeftToWaitIsDueNow(Duration remaining) {
        assertThat(tiers.tierFor(remaining)).isEmpty();
    }

    @Test
    void choosesFromADueTimeAndTheCurrentTime() {
        // Given a job due in 90 seconds
        Instant now = Instant.parse("2026-01-01T10:00:00Z");

        // Then it waits in the 30s tier first, and hops down until due
        assertThat(tiers.tierFor(now.plusSeconds(90), now)).contains(Duration.ofSeconds(30));
        assertThat(tiers.tierFor(now.plusSeconds(90), now.plusSeconds(88))).contains(Duration.ofSeconds(1));
        assertThat(tiers.tierFor(now.plusSeconds(90), now.plusMillis(89_500))).contains(Duration.ofSeconds(1));
        assertThat(tiers.tierFor(now.plusSeconds(90), now.plusSeconds(90))).isEmpty();
        assertThat(tiers.tierFor(now.plusSeconds(90), now.plusMillis(88_950))).contains(Duration.ofSeconds(1));
    }

    @Test
    void hoppingDownTheTiersNeverOvershootsTheDueTime() {
        // Given a job due in 7h 3m 8s, and tiers that release a job exactly their delay after it entered
        Duration remaining = Duration.ofHours(7).plusMinutes(3).plusSeconds(8);
        Duration waited = Duration.ZERO;

        // When it hops until no tier fits
        var tier = tiers.tierFor(remaining.minus(waited));
        int hops = 0;
        while (tier.isPresent()) {
            waited = waited.plus(tier.get());
            tier = tiers.tierFor(remaining.minus(waited));
            hops++;
        }

        // Then it never waited past its due time by more than the tolerance, and is due within the smallest tier
        assertThat(waited).isLessThanOrEqualTo(remaining.plus(tiers.tolerance()));
        assertThat(remaining.minus(waited)).isLessThan(tiers.smallest());
        assertThat(hops).isEqualTo(9); // 6h, 1h, 2m, 30s, 30s, 5s, 1s, 1s, 1s
    }

    @Test
    void aWaitJustBelowATierWithinTheToleranceUsesThatTier() {
        // Given the default tolerance: a tenth of the smallest tier
        assertThat(tiers.tolerance()).isEqualTo(Duration.ofMillis(100));

        // Then a delay of exactly ten minutes measured a few milliseconds late still waits in the 10m tier
        assertThat(tiers.tierFor(Duration.ofMinutes(10).minusMillis(3))).contains(Duration.ofMinutes(10));
        assertThat(tiers.tierFor(Duration.ofMinutes(10).minusMillis(101))).contains(Duration.ofMinutes(2));
    }

    @Test
    void namesEveryDelayTopicOfAQueue() {
        assertThat(tiers.topics("emails"))
                .containsExactly(
                        "emails.delay.1s",
                        "emails.delay.5s",
                        "emails.delay.30s",
                        "emails.delay.2m",
                        "emails.delay.10m",
                        "emails.delay.1h",
                        "emails.delay.6h");
        assertThat(tiers.topic("emails", Duration.ofMinutes(2))).isEqualTo("emails.delay.2m");
        assertThatThrownBy(() -> tiers.topic("emails", Duration.ofMinutes(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3m");
    }

    @Test
    void parsesAConfiguredListInAnyOrder() {
        DelayTiers configured = DelayTiers.parse(List.of("1m", "500ms", "10s"));

        assertThat(configured.names()).containsExactly("500ms", "10s", "1m");
        assertThat(configured.tierFor(Duration.ofSeconds(59))).contains(Duration.ofSeconds(10));
        assertThat(configured)
                .isEqualTo(DelayTiers.of(Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofMinutes(1)));
    }

    @Test
    void rejectsAnEmptyListADuplicateAndABadTier() {
        assertThatThrownBy(() -> DelayTiers.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> DelayTiers.parse(List.of("5s", "5000ms")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5s is listed twice");
        assertThatThrownBy(() -> DelayTiers.parse(List.of("5s", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> DelayTiers.of(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}

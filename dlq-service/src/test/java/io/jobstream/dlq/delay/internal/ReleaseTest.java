package io.jobstream.dlq.delay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.schemas.DelayTiers;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseTest {
    private static final DelayTiers TIERS = DelayTiers.defaults();
    private static final Instant ENTERED = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration FIVE = Duration.ofSeconds(5);

    private static Release at(Instant now, Duration tier, Instant due) {
        return Release.decide(now, tier, ENTERED, Optional.ofNullable(due), TIERS);
    }

    @Test
    void holdsUntilTheTiersDelayIsOver() {
        Instant due = ENTERED.plusSeconds(60);
        assertThat(at(ENTERED.plusSeconds(1), FIVE, due)).isEqualTo(new Release.Hold(ENTERED.plusSeconds(5)));
    }

    @Test
    void holdsNoLongerThanTheDueTime() {
        // Given a job due 300 ms after entering the 1s tier (the router's floor)
        Instant due = ENTERED.plusMillis(300);
        assertThat(at(ENTERED, Duration.ofSeconds(1), due)).isEqualTo(new Release.Hold(due));
    }

    @Test
    void aDueRecordGoesToTheQueue() {
        Instant due = ENTERED.plusSeconds(5);
        assertThat(at(due, FIVE, due)).isEqualTo(new Release.ToQueue(due));
        assertThat(at(due.plusSeconds(10), FIVE, due)).isEqualTo(new Release.ToQueue(due));
    }

    @Test
    void withoutDueTimeARecordIsDueWhenItsTierIsOver() {
        assertThat(at(ENTERED.plusSeconds(4), FIVE, null)).isEqualTo(new Release.Hold(ENTERED.plusSeconds(5)));
        assertThat(at(ENTERED.plusSeconds(5), FIVE, null)).isEqualTo(new Release.ToQueue(ENTERED.plusSeconds(5)));
    }

    @Test
    void afterItsTierARecordHopsToTheLargestTierNotLongerThanWhatRemains() {
        // Given a job due 40 s after entering the 30s tier: 10 s remain when the tier is over
        Instant due = ENTERED.plusSeconds(40);
        assertThat(at(ENTERED.plusSeconds(30), Duration.ofSeconds(30), due))
                .isEqualTo(new Release.ToTier(Duration.ofSeconds(5)));
    }

    @Test
    void lessThanTheSmallestTierRemainingGoesToTheSmallestTierNotToTheQueue() {
        Instant due = ENTERED.plusMillis(5_400);
        assertThat(at(ENTERED.plusSeconds(5), FIVE, due)).isEqualTo(new Release.ToTier(Duration.ofSeconds(1)));
    }
}

package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {
    @Test
    void derivesEveryTopicFromTheQueue() {
        assertThat(Topics.queue("emails")).isEqualTo("emails");
        assertThat(Topics.failed("emails")).isEqualTo("emails.failed");
        assertThat(Topics.delay("emails", Duration.ofSeconds(5))).isEqualTo("emails.delay.5s");
        assertThat(Topics.delay("emails", "5s")).isEqualTo("emails.delay.5s");
        assertThat(Topics.dlq("emails")).isEqualTo("emails.dlq");
        assertThat(Topics.dlqReplayed("emails")).isEqualTo("emails.dlq.replayed");
        assertThat(Topics.events("emails")).isEqualTo("emails.events");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "PT5S, 5s",
        "PT1M, 1m",
        "PT10M, 10m",
        "PT1H, 1h",
        "PT6H, 6h",
        "PT90S, 90s",
        "PT1.5S, 1500ms",
        "PT24H, 1d",
        "PT0.25S, 250ms"
    })
    void namesATierByItsLargestExactUnit(Duration tier, String name) {
        assertThat(Topics.tierName(tier)).isEqualTo(name);
        assertThat(Topics.parseTier(name)).isEqualTo(tier);
    }

    @Test
    void writtenTiersAreCanonicalized() {
        assertThat(Topics.delay("emails", "60s")).isEqualTo("emails.delay.1m");
        assertThat(Topics.delay("emails", "1000ms")).isEqualTo("emails.delay.1s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-5s", "5", "5 s", "5sec", "s", "1.5s", ""})
    void rejectsABadTier(String tier) {
        assertThatThrownBy(() -> Topics.delay("emails", tier))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tier");
    }

    @Test
    void rejectsANonPositiveOrSubMillisecondDuration() {
        assertThatThrownBy(() -> Topics.tierName(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topics.tierName(Duration.ofNanos(1_500_000)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"emails", "jobs", "billing.invoices", "team-a.emails-v2", "q1", "7", "a-.b"})
    void acceptsValidQueueNames(String queue) {
        assertThat(Topics.isValidQueue(queue)).isTrue();
        assertThat(Topics.queue(queue)).isEqualTo(queue);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Emails",
                "send_email",
                "emails!",
                ".emails",
                "emails.",
                "-emails",
                "emails-",
                "a..b",
                "e mails",
                "émails"
            })
    void rejectsInvalidQueueNamesNamingTheRules(String queue) {
        assertThat(Topics.isValidQueue(queue)).isFalse();
        assertThatThrownBy(() -> Topics.failed(queue))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no '_'");
    }

    @Test
    void keepsEveryDerivedNameWithinKafkasLimit() {
        String longest = "q".repeat(Topics.MAX_QUEUE_LENGTH);
        assertThat(Topics.dlqReplayed(longest).length()).isLessThanOrEqualTo(249);
        assertThat(Topics.delay(longest, "1500ms").length()).isLessThanOrEqualTo(249);
        assertThat(Topics.isValidQueue(longest + "q")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "jobs.dlq",
                "jobs.failed",
                "jobs.events",
                "jobs.dlq.replayed",
                "jobs.delay.1s",
                "jobs.delay.1500ms",
                "__consumer_offsets",
                "_schemas",
                "jobstream.schedules",
                "jobstream-status-job-status-changelog",
                "app-store-repartition"
            })
    void derivedAndInternalTopicsAreNeverQueues(String topic) {
        assertThat(Topics.notAQueue(topic)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jobs", "emails.eu", "delay", "jobs.delay", "failed-payments", "my-jobstream"})
    void plainNamesMayBeQueues(String topic) {
        assertThat(Topics.notAQueue(topic)).isEmpty();
    }
}

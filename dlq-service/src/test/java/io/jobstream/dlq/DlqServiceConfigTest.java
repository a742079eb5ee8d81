package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DlqServiceConfigTest {
    private static Config load(String yaml) {
        return ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                .withEnvironment(Map.of())
                .withYaml(yaml)
                .load();
    }

    @Test
    void readsTheDefaults() {
        DlqServiceConfig config = DlqServiceConfig.from(load("jobstream.dlq.queues: emails"));
        assertThat(config.queues()).containsExactly("emails");
        assertThat(config.tiers()).isEqualTo(DelayTiers.defaults());
        assertThat(config.retry()).isEqualTo(RetryPolicies.DEFAULT);
        assertThat(config.historyLimit()).isEqualTo(20);
        assertThat(config.stateDir()).isEmpty();
        assertThat(config).isEqualTo(DlqServiceConfig.defaults(List.of("emails")));
        assertThat(config.routedRetention()).isEmpty();
        assertThat(config.effectiveRoutedRetention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void theRoutedRetentionDefaultsToTheLongestRetryPathPlusADayAndAtLeastSevenDays() {
        // Given a type whose retries wait 1 h, 2 h, 4 h, ... capped at 1 d, over 20 attempts
        DlqServiceConfig config = DlqServiceConfig.from(load("""
                jobstream:
                  dlq:
                    queues: emails
                    retry:
                      types:
                        slow.max-attempts: 20
                        slow.initial-backoff: 1h
                        slow.max-backoff: 1d
                """));
        // Then its longest path is 1+2+4+8+16 h plus 14 capped waits of 1 d, and the retention one day more
        Duration path = Duration.ofHours(31).plusDays(14);
        assertThat(config.retry().longestRetryPath()).isEqualTo(path);
        assertThat(config.effectiveRoutedRetention()).isEqualTo(path.plusDays(1));
        // And a configured retention wins, but may not be shorter than that path
        assertThat(DlqServiceConfig.from(
                                load("{jobstream.dlq.queues: emails, jobstream.dlq.router.routed-retention: 30d}"))
                        .effectiveRoutedRetention())
                .isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> DlqServiceConfig.from(load("""
                        jobstream:
                          dlq:
                            queues: emails
                            router:
                              routed-retention: 8d
                            retry:
                              types:
                                slow.max-attempts: 20
                                slow.initial-backoff: 1h
                                slow.max-backoff: 1d
                        """)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.router.routed-retention");
        assertThatThrownBy(() -> load("{jobstream.dlq.queues: emails, jobstream.dlq.router.routed-retention: 1h}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.router.routed-retention");
    }

    @Test
    void readsDefaultAndPerTypeRetryPolicies() {
        // Given a default policy and one for send_email that overrides two settings
        DlqServiceConfig config = DlqServiceConfig.from(load("""
                jobstream:
                  topics:
                    delay-tiers: 500ms, 5s, 1m
                  dlq:
                    queues: [emails, images]
                    retry:
                      max-attempts: 7
                      initial-backoff: 2s
                      multiplier: 3
                      max-backoff: 10m
                      jitter: equal
                      non-retryable-reasons: [timeout]
                      non-retryable-errors: [java.lang.IllegalArgumentException]
                      types:
                        send_email:
                          max-attempts: 3
                          jitter: none
                """));
        // Then
        assertThat(config.tiers().names()).containsExactly("500ms", "5s", "1m");
        RetryPolicy defaults = config.retry().defaultPolicy();
        assertThat(defaults.maxAttempts()).isEqualTo(7);
        assertThat(defaults.backoff())
                .isEqualTo(new Backoff(Duration.ofSeconds(2), 3.0, Duration.ofMinutes(10), Backoff.Jitter.EQUAL));
        assertThat(defaults.nonRetryableReasons()).contains(FailureReason.TIMEOUT, FailureReason.EXPIRED);
        assertThat(defaults.nonRetryableErrors()).containsExactly("java.lang.IllegalArgumentException");
        RetryPolicy sendEmail = config.retry().forType("send_email");
        assertThat(sendEmail.maxAttempts()).isEqualTo(3);
        assertThat(sendEmail.backoff())
                .isEqualTo(new Backoff(Duration.ofSeconds(2), 3.0, Duration.ofMinutes(10), Backoff.Jitter.NONE));
        assertThat(sendEmail.nonRetryableReasons()).contains(FailureReason.TIMEOUT);
    }

    @Test
    void badPerTypeSettingsNameTheirKey() {
        assertThatThrownBy(() -> DlqServiceConfig.from(load("""
                        jobstream.dlq.queues: emails
                        jobstream.dlq.retry.types.send_email.max-attempts: 0
                        jobstream.dlq.retry.types.send_email.jiter: full
                        jobstream.dlq.retry.non-retryable-reasons: [SLOW]
                        """)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.retry.non-retryable-reasons: unknown failure reason 'SLOW'")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(1));
        assertThatThrownBy(() -> DlqServiceConfig.from(load("""
                        jobstream.dlq.queues: emails
                        jobstream.dlq.retry.types.send_email.max-attempts: 0
                        """)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "invalid value '0' for jobstream.dlq.retry.types.send_email.max-attempts: must be from 1 to 10000");
        assertThatThrownBy(() -> DlqServiceConfig.from(load("""
                        jobstream.dlq.queues: emails
                        jobstream.dlq.retry.types.send_email.jiter: full
                        """)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.retry.types.send_email.jiter: unknown setting");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> DlqServiceConfig.from(
                        load("{jobstream.dlq.queues: emails, jobstream.topics.delay-tiers: '5s, 2x'}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.topics.delay-tiers");
        assertThatThrownBy(() ->
                        DlqServiceConfig.from(load("{jobstream.dlq.queues: emails, jobstream.dlq.retry.max-backoff: 1s,"
                                + " jobstream.dlq.retry.initial-backoff: 5s}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.retry.max-backoff");
        assertThatThrownBy(() -> load("jobstream.dlq.retry.max-attempts: 0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.queues")
                .hasMessageContaining("jobstream.dlq.retry.max-attempts");
        assertThatThrownBy(() -> DlqServiceConfig.from(load("jobstream.dlq.queues: [Emails_1]")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.queues");
        assertThatThrownBy(() ->
                        DlqServiceConfig.builder(List.of("a")).historyLimit(0).build())
                .hasMessageContaining("jobstream.dlq.history-limit");
    }
}

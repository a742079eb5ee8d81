package io.jobstream.dlq.alert;

import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.lag.LagMonitor;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.runtime.Password;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Alerting, for dead letters and consumer-lag status changes: which sinks, and how alerts are aggregated and paced. Immutable and validated at
 * construction by each key's rule, naming the key; made by {@link #builder()} or {@link #from(Config, Map)}, copied
 * with {@link #toBuilder()}. The keys are part of {@link DlqServiceConfig#DEFINITION}.
 *
 * @param slackWebhook the Slack incoming webhook URL (a secret); empty for no Slack sink
 * @param webhook a generic JSON webhook URL; empty for none
 * @param log whether alerts are also logged
 * @param window how long dead letters of a firing key are counted into one message
 * @param quietPeriod how long a firing key must see no dead letter before a "recovered" message
 * @param ratePerSecond messages a second per sink, on average
 * @param burst messages a sink may send at once
 * @param maxPending alerts kept per sink while it cannot be reached (beyond: the oldest is dropped, counted)
 * @param maxAge how long an unsent alert is kept before it expires (counted)
 * @param requestTimeout the longest wait for one HTTP answer
 * @param lagAlerts whether lag status changes are alerted (when a {@link LagMonitor} feeds {@link
 *     DlqService#lagAlerts()})
 * @param lagMinInterval the shortest time between two lag alerts of one group; changes within it are coalesced
 */
public record AlertConfig(
        Optional<URI> slackWebhook,
        Optional<URI> webhook,
        boolean log,
        Duration window,
        Duration quietPeriod,
        double ratePerSecond,
        int burst,
        int maxPending,
        Duration maxAge,
        Duration requestTimeout,
        boolean lagAlerts,
        Duration lagMinInterval) {

    /** The environment variable read when {@link #SLACK_WEBHOOK_URL} is unset. */
    public static final String SLACK_ENV = "SLACK_WEBHOOK_URL";

    public static final ConfigKey<Password> SLACK_WEBHOOK_URL = ConfigKey.passwordKey(
                    "jobstream.dlq.alerts.slack.webhook-url")
            .optional()
            .doc(
                    "Slack incoming webhook URL for alerts (dead letters, lag status); when unset, the SLACK_WEBHOOK_URL environment"
                            + " variable; no Slack alerts when neither is set.")
            .build();
    public static final ConfigKey<Password> WEBHOOK_URL = ConfigKey.passwordKey("jobstream.dlq.alerts.webhook.url")
            .optional()
            .doc("URL receiving each alert (dead letters, lag status) as a JSON POST; none when unset. A secret (it"
                    + " often carries a token): masked in logs, shown by its origin only.")
            .build();
    public static final ConfigKey<Boolean> LOG = ConfigKey.booleanKey("jobstream.dlq.alerts.log")
            .defaultValue(true)
            .doc("Whether alerts are also logged (logger jobstream.alerts).")
            .build();
    public static final ConfigKey<Duration> WINDOW = ConfigKey.durationKey("jobstream.dlq.alerts.window")
            .defaultValue(Duration.ofSeconds(60))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofHours(24)))
            .doc("Dead letters of one queue, type, reason and error class after the first are counted over this"
                    + " window into one message.")
            .build();
    public static final ConfigKey<Duration> QUIET_PERIOD = ConfigKey.durationKey("jobstream.dlq.alerts.quiet-period")
            .defaultValue(Duration.ofMinutes(5))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofDays(7)))
            .doc("Time without dead letters after which a 'recovered' message is sent; the next dead letter is a"
                    + " first one again.")
            .build();
    public static final ConfigKey<Double> RATE = ConfigKey.doubleKey("jobstream.dlq.alerts.rate-per-second")
            .defaultValue(1.0)
            .validator(ConfigValidator.range(0.001, 1000.0))
            .doc("Messages a second each sink sends at most, on average.")
            .build();
    public static final ConfigKey<Integer> BURST = ConfigKey.intKey("jobstream.dlq.alerts.burst")
            .defaultValue(5)
            .validator(ConfigValidator.range(1, 1000))
            .unit("messages")
            .doc("Messages a sink may send at once before the rate applies.")
            .build();
    public static final ConfigKey<Integer> MAX_PENDING = ConfigKey.intKey("jobstream.dlq.alerts.max-pending")
            .defaultValue(1000)
            .validator(ConfigValidator.range(1, 1_000_000))
            .unit("alerts")
            .doc("Unsent alerts kept per sink; beyond, the oldest is dropped (jobstream.alerts.dropped).")
            .build();
    public static final ConfigKey<Duration> MAX_AGE = ConfigKey.durationKey("jobstream.dlq.alerts.max-age")
            .defaultValue(Duration.ofHours(1))
            .validator(ConfigValidator.range(Duration.ofSeconds(1), Duration.ofDays(7)))
            .doc("How long an unsent alert is kept before it expires (jobstream.alerts.expired).")
            .build();
    public static final ConfigKey<Duration> REQUEST_TIMEOUT = ConfigKey.durationKey(
                    "jobstream.dlq.alerts.request-timeout")
            .defaultValue(Duration.ofSeconds(10))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofMinutes(5)))
            .doc("Longest wait for a webhook's answer; a timeout is retried with backoff.")
            .build();

    public static final ConfigKey<Boolean> LAG_ENABLED = ConfigKey.booleanKey("jobstream.dlq.alerts.lag.enabled")
            .defaultValue(true)
            .doc("Whether consumer-lag status changes (e.g. OK to STOP, and back) are alerted through the same sinks.")
            .build();
    public static final ConfigKey<Duration> LAG_MIN_INTERVAL = ConfigKey.durationKey(
                    "jobstream.dlq.alerts.lag.min-interval")
            .defaultValue(Duration.ofMinutes(2))
            .validator(ConfigValidator.range(Duration.ofSeconds(1), Duration.ofDays(1)))
            .doc("Shortest time between two lag alerts of one consumer group; status changes within it are"
                    + " coalesced into one alert when it ends, the latest status winning (a recovery to OK is"
                    + " never dropped).")
            .build();

    /** Every alert key, in the order of the docs. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            SLACK_WEBHOOK_URL,
            WEBHOOK_URL,
            LOG,
            WINDOW,
            QUIET_PERIOD,
            RATE,
            BURST,
            MAX_PENDING,
            MAX_AGE,
            REQUEST_TIMEOUT,
            LAG_ENABLED,
            LAG_MIN_INTERVAL);

    /** Validates every field by its key's rule, naming the key. */
    public AlertConfig {
        Objects.requireNonNull(slackWebhook, SLACK_WEBHOOK_URL.name());
        Objects.requireNonNull(webhook, WEBHOOK_URL.name());
        WINDOW.check(window);
        QUIET_PERIOD.check(quietPeriod);
        RATE.check(ratePerSecond);
        BURST.check(burst);
        MAX_PENDING.check(maxPending);
        MAX_AGE.check(maxAge);
        REQUEST_TIMEOUT.check(requestTimeout);
        LAG_MIN_INTERVAL.check(lagMinInterval);
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults: log sink only, 60 s window, 5 min quiet period, 1 message/s with bursts of 5; lag alerts on, at
     * most one per group every 2 min.
     */
    public static AlertConfig defaults() {
        return builder().build();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = builder()
                .log(log)
                .window(window)
                .quietPeriod(quietPeriod)
                .ratePerSecond(ratePerSecond)
                .burst(burst)
                .maxPending(maxPending)
                .maxAge(maxAge)
                .requestTimeout(requestTimeout)
                .lagAlerts(lagAlerts)
                .lagMinInterval(lagMinInterval);
        slackWebhook.ifPresent(b::slackWebhook);
        webhook.ifPresent(b::webhook);
        return b;
    }

    /**
     * Reads the alert keys of {@code config}; the Slack URL falls back to {@code env}'s {@value #SLACK_ENV}.
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static AlertConfig from(Config config, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Optional<String> slack = config.find(SLACK_WEBHOOK_URL)
                .map(Password::value)
                .or(() -> Optional.ofNullable(env.get(SLACK_ENV)).filter(s -> !s.isBlank()));
        Optional<URI> slackUri =
                slack.flatMap(s -> uri(s, SLACK_WEBHOOK_URL.name() + " (or " + SLACK_ENV + ")", problems));
        Optional<URI> webhookUri =
                config.find(WEBHOOK_URL).map(Password::value).flatMap(s -> uri(s, WEBHOOK_URL.name(), problems));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Builder b = builder()
                .log(config.get(LOG))
                .window(config.get(WINDOW))
                .quietPeriod(config.get(QUIET_PERIOD))
                .ratePerSecond(config.get(RATE))
                .burst(config.get(BURST))
                .maxPending(config.get(MAX_PENDING))
                .maxAge(config.get(MAX_AGE))
                .requestTimeout(config.get(REQUEST_TIMEOUT))
                .lagAlerts(config.get(LAG_ENABLED))
                .lagMinInterval(config.get(LAG_MIN_INTERVAL));
        slackUri.ifPresent(b::slackWebhook);
        webhookUri.ifPresent(b::webhook);
        return b.build();
    }

    /** The sinks this config names, in the order Slack, webhook, log. */
    public List<AlertSink> sinks(HttpClient client, Clock clock) {
        List<AlertSink> sinks = new ArrayList<>();
        slackWebhook.ifPresent(url -> sinks.add(new SlackSink(url, client, requestTimeout, clock)));
        webhook.ifPresent(url -> sinks.add(new WebhookSink(url, client, requestTimeout, clock)));
        if (log) {
            sinks.add(new LogSink());
        }
        return sinks;
    }

    @Override
    public String toString() {
        return "AlertConfig[slackWebhook="
                + slackWebhook.map(u -> Password.HIDDEN).orElse("none") + ", webhook="
                + webhook.map(AlertConfig::origin).orElse("none") + ", log=" + log + ", window=" + window
                + ", quietPeriod=" + quietPeriod + ", ratePerSecond=" + ratePerSecond + ", burst=" + burst
                + ", maxPending=" + maxPending + ", maxAge=" + maxAge + ", requestTimeout=" + requestTimeout
                + ", lagAlerts=" + lagAlerts + ", lagMinInterval=" + lagMinInterval + "]";
    }

    /** {@code url} shown by its origin only: its path and query often carry a token. */
    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/"
                + Password.HIDDEN;
    }

    private static Optional<URI> uri(String text, String key, List<String> problems) {
        try {
            URI uri = new URI(text.strip());
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                problems.add(key + ": must be an http(s) URL");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            problems.add(key + ": not a URL (" + e.getReason() + ")");
            return Optional.empty();
        }
    }

    /** Builds an {@link AlertConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private URI slackWebhook;
        private URI webhook;
        private boolean log = LOG.defaultValue().orElseThrow();
        private Duration window = WINDOW.defaultValue().orElseThrow();
        private Duration quietPeriod = QUIET_PERIOD.defaultValue().orElseThrow();
        private double ratePerSecond = RATE.defaultValue().orElseThrow();
        private int burst = BURST.defaultValue().orElseThrow();
        private int maxPending = MAX_PENDING.defaultValue().orElseThrow();
        private Duration maxAge = MAX_AGE.defaultValue().orElseThrow();
        private Duration requestTimeout = REQUEST_TIMEOUT.defaultValue().orElseThrow();
        private boolean lagAlerts = LAG_ENABLED.defaultValue().orElseThrow();
        private Duration lagMinInterval = LAG_MIN_INTERVAL.defaultValue().orElseThrow();

        private Builder() {}

        /** Posts alerts to Slack at {@code url}. */
        public Builder slackWebhook(URI url) {
            this.slackWebhook = Objects.requireNonNull(url, SLACK_WEBHOOK_URL.name());
            return this;
        }

        /** Posts alerts as JSON to {@code url}. */
        public Builder webhook(URI url) {
            this.webhook = Objects.requireNonNull(url, WEBHOOK_URL.name());
            return this;
        }

        public Builder log(boolean log) {
            this.log = log;
            return this;
        }

        public Builder window(Duration window) {
            this.window = window;
            return this;
        }

        public Builder quietPeriod(Duration quietPeriod) {
            this.quietPeriod = quietPeriod;
            return this;
        }

        public Builder ratePerSecond(double ratePerSecond) {
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        public Builder burst(int burst) {
            this.burst = burst;
            return this;
        }

        public Builder maxPending(int maxPending) {
            this.maxPending = maxPending;
            return this;
        }

        public Builder maxAge(Duration maxAge) {
            this.maxAge = maxAge;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** Whether lag status changes are alerted. */
        public Builder lagAlerts(boolean lagAlerts) {
            this.lagAlerts = lagAlerts;
            return this;
        }

        public Builder lagMinInterval(Duration lagMinInterval) {
            this.lagMinInterval = lagMinInterval;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public AlertConfig build() {
            return new AlertConfig(
                    Optional.ofNullable(slackWebhook),
                    Optional.ofNullable(webhook),
                    log,
                    window,
                    quietPeriod,
                    ratePerSecond,
                    burst,
                    maxPending,
                    maxAge,
                    requestTimeout,
                    lagAlerts,
                    lagMinInterval);
        }
    }
}

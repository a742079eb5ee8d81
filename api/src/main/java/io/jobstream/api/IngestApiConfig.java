package io.jobstream.api;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigType;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.runtime.Password;
import io.jobstream.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@link IngestApi}'s settings ({@code jobstream.api.*}). Immutable and validated at construction by each key's
 * rule, naming the key; made by {@link #builder()} or {@link #from(Config)}, copied with {@link #toBuilder()}. The HTTP port is the admin endpoint's ({@code jobstream.runtime.admin.port}): the API, {@code /health},
 * {@code /ready} and {@code /metrics} share one server. Tokens, their scopes and whether they are required are the
 * runtime's HTTP settings ({@code jobstream.runtime.http.*}, {@link io.jobstream.runtime.http.HttpConfig}), read by
 * every role that serves routes.
 *
 * @param maxRequestSize the largest body of a single-job or webhook request, in bytes ({@code jobstream.api.max-request-size})
 * @param maxBatchRequestSize the largest body of a batch request, in bytes ({@code jobstream.api.max-batch-request-size})
 * @param maxBatchSize the most jobs in one batch request ({@code jobstream.api.max-batch-size})
 * @param publishTimeout how long a request waits for Kafka's acknowledgement before answering 503 ({@code jobstream.api.publish-timeout})
 * @param idempotencyRetention how long an {@code Idempotency-Key}'s receipt is remembered ({@code jobstream.api.idempotency.retention})
 * @param idempotencyCapacity how many keys are remembered at most, per replica ({@code jobstream.api.idempotency.capacity})
 * @param rateLimit requests per second one token may make; 0 for no limit ({@code jobstream.api.rate-limit})
 * @param rateLimitBurst requests one token may make at once above the rate ({@code jobstream.api.rate-limit-burst})
 * @param webhooks the webhook endpoints ({@code jobstream.api.webhooks.<name>.*})
 */
public record IngestApiConfig(
        long maxRequestSize,
        long maxBatchRequestSize,
        int maxBatchSize,
        Duration publishTimeout,
        Duration idempotencyRetention,
        int idempotencyCapacity,
        double rateLimit,
        int rateLimitBurst,
        List<Webhook> webhooks) {

    /** The body limit of single-job and webhook requests. */
    public static final ConfigKey<Long> MAX_REQUEST_SIZE = ConfigKey.sizeKey("jobstream.api.max-request-size")
            .defaultValue(1024L * 1024L + 64L * 1024L)
            .validator(ConfigValidator.range(1L, 64L * 1024 * 1024))
            .doc("Largest body of a single-job or webhook request; a larger one is answered 413 without reading it"
                    + " (Content-Length) or as soon as the limit is passed. The job's payload is also held to"
                    + " jobstream.publisher.max-payload-size.")
            .build();

    /** The body limit of batch requests. */
    public static final ConfigKey<Long> MAX_BATCH_REQUEST_SIZE = ConfigKey.sizeKey(
                    "jobstream.api.max-batch-request-size")
            .defaultValue(32L * 1024L * 1024L)
            .validator(ConfigValidator.range(1L, 1024L * 1024 * 1024))
            .doc("Largest body of a batch request (POST /v1/queues/{queue}/jobs:batch); larger is answered 413.")
            .build();

    /** The most jobs in one batch. */
    public static final ConfigKey<Integer> MAX_BATCH_SIZE = ConfigKey.intKey("jobstream.api.max-batch-size")
            .defaultValue(1000)
            .validator(ConfigValidator.range(1, 100_000))
            .unit("jobs")
            .doc("Most jobs in one batch request; a larger batch is answered 400 (BATCH_TOO_LARGE).")
            .build();

    /** The acknowledgement wait. */
    public static final ConfigKey<Duration> PUBLISH_TIMEOUT = ConfigKey.durationKey("jobstream.api.publish-timeout")
            .defaultValue(Duration.ofSeconds(30))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofMinutes(10)))
            .doc("How long a request waits for Kafka to acknowledge its job(s) before answering 503; the job may"
                    + " still be written later, so clients retry with the same Idempotency-Key.")
            .build();

    /** How long idempotency keys are remembered. */
    public static final ConfigKey<Duration> IDEMPOTENCY_RETENTION = ConfigKey.durationKey(
                    "jobstream.api.idempotency.retention")
            .defaultValue(Duration.ofHours(24))
            .validator(ConfigValidator.range(Duration.ofSeconds(1), Duration.ofDays(30)))
            .doc("How long this replica answers a repeated Idempotency-Key with the first request's receipt instead"
                    + " of publishing again.")
            .build();

    /** How many idempotency keys are remembered. */
    public static final ConfigKey<Integer> IDEMPOTENCY_CAPACITY = ConfigKey.intKey("jobstream.api.idempotency.capacity")
            .defaultValue(100_000)
            .validator(ConfigValidator.range(1, 10_000_000))
            .unit("keys")
            .doc("Most Idempotency-Keys this replica remembers; the oldest are forgotten first. Repeats across"
                    + " replicas, or after a key is forgotten, still carry the same job id for the processor's"
                    + " idempotency guard.")
            .build();

    /** The per-token request rate. */
    public static final ConfigKey<Double> RATE_LIMIT = ConfigKey.doubleKey("jobstream.api.rate-limit")
            .defaultValue(1000.0)
            .validator(ConfigValidator.range(0.0, 1_000_000.0))
            .unit("requests/s")
            .doc("Requests per second one token may make on this replica (a local token bucket); over it the API"
                    + " answers 429 with Retry-After. 0 turns the limit off.")
            .build();

    /** The per-token burst. */
    public static final ConfigKey<Integer> RATE_LIMIT_BURST = ConfigKey.intKey("jobstream.api.rate-limit-burst")
            .defaultValue(2000)
            .validator(ConfigValidator.range(1, 10_000_000))
            .unit("requests")
            .doc("Requests one token may make at once before the rate limit applies (the bucket's size).")
            .build();

    /** The webhooks. */
    public static final ConfigKey<Map<String, String>> WEBHOOKS = ConfigKey.mapKey("jobstream.api.webhooks")
            .doc("Webhook endpoints POST /webhooks/<name>: <name>.queue, <name>.type (the job type),"
                    + " <name>.scheme (github, stripe or hmac-sha256), <name>.secret, and for hmac-sha256"
                    + " <name>.header, <name>.encoding (hex or base64) and optionally <name>.timestamp-header (a signed"
                    + " Unix-seconds timestamp: the HMAC is then of '<timestamp>.<body>'); <name>.tolerance for a"
                    + " signed timestamp (default 5m); <name>.replay-window, how long a delivery is remembered so it is"
                    + " enqueued once (default 24h, at least twice the tolerance).")
            .build();

    /** Every key of the API. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
            MAX_REQUEST_SIZE,
            MAX_BATCH_REQUEST_SIZE,
            MAX_BATCH_SIZE,
            PUBLISH_TIMEOUT,
            IDEMPOTENCY_RETENTION,
            IDEMPOTENCY_CAPACITY,
            RATE_LIMIT,
            RATE_LIMIT_BURST,
            WEBHOOKS);

    /** How long a webhook delivery is remembered, by default, so the same delivery is not enqueued twice. */
    public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofHours(24);

    /** The Stripe signature's default timestamp tolerance, as Stripe's own libraries use. */
    public static final Duration DEFAULT_STRIPE_TOLERANCE = Duration.ofMinutes(5);

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+");

    /** Validates every field by its key's rule, naming the key. */
    public IngestApiConfig {
        MAX_REQUEST_SIZE.check(maxRequestSize);
        MAX_BATCH_REQUEST_SIZE.check(maxBatchRequestSize);
        MAX_BATCH_SIZE.check(maxBatchSize);
        PUBLISH_TIMEOUT.check(publishTimeout);
        IDEMPOTENCY_RETENTION.check(idempotencyRetention);
        IDEMPOTENCY_CAPACITY.check(idempotencyCapacity);
        RATE_LIMIT.check(rateLimit);
        RATE_LIMIT_BURST.check(rateLimitBurst);
        webhooks = List.copyOf(Objects.requireNonNull(webhooks, WEBHOOKS.name()));
        Set<String> names = new LinkedHashSet<>();
        for (Webhook webhook : webhooks) {
            if (!names.add(webhook.name())) {
                throw new ConfigException(WEBHOOKS.name() + "." + webhook.name() + " is defined twice");
            }
        }
    }

    /** A builder with every default and no webhooks. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of every key, with no webhooks. */
    public static IngestApiConfig defaults() {
        return builder().build();
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static IngestApiConfig from(Config config) {
        return builder()
                .maxRequestSize(config.get(MAX_REQUEST_SIZE))
                .maxBatchRequestSize(config.get(MAX_BATCH_REQUEST_SIZE))
                .maxBatchSize(config.get(MAX_BATCH_SIZE))
                .publishTimeout(config.get(PUBLISH_TIMEOUT))
                .idempotencyRetention(config.get(IDEMPOTENCY_RETENTION))
                .idempotencyCapacity(config.get(IDEMPOTENCY_CAPACITY))
                .rateLimit(config.get(RATE_LIMIT))
                .rateLimitBurst(config.get(RATE_LIMIT_BURST))
                .webhooks(parseWebhooks(config.get(WEBHOOKS)))
                .build();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return builder()
                .maxRequestSize(maxRequestSize)
                .maxBatchRequestSize(maxBatchRequestSize)
                .maxBatchSize(maxBatchSize)
                .publishTimeout(publishTimeout)
                .idempotencyRetention(idempotencyRetention)
                .idempotencyCapacity(idempotencyCapacity)
                .rateLimit(rateLimit)
                .rateLimitBurst(rateLimitBurst)
                .webhooks(webhooks);
    }

    /** Builds an {@link IngestApiConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private long maxRequestSize = MAX_REQUEST_SIZE.defaultValue().orElseThrow();
        private long maxBatchRequestSize = MAX_BATCH_REQUEST_SIZE.defaultValue().orElseThrow();
        private int maxBatchSize = MAX_BATCH_SIZE.defaultValue().orElseThrow();
        private Duration publishTimeout = PUBLISH_TIMEOUT.defaultValue().orElseThrow();
        private Duration idempotencyRetention =
                IDEMPOTENCY_RETENTION.defaultValue().orElseThrow();
        private int idempotencyCapacity = IDEMPOTENCY_CAPACITY.defaultValue().orElseThrow();
        private double rateLimit = RATE_LIMIT.defaultValue().orElseThrow();
        private int rateLimitBurst = RATE_LIMIT_BURST.defaultValue().orElseThrow();
        private List<Webhook> webhooks = List.of();

        private Builder() {}

        /** The body limit of single-job and webhook requests, in bytes. */
        public Builder maxRequestSize(long maxRequestSize) {
            this.maxRequestSize = maxRequestSize;
            return this;
        }

        /** The body limit of batch requests, in bytes. */
        public Builder maxBatchRequestSize(long maxBatchRequestSize) {
            this.maxBatchRequestSize = maxBatchRequestSize;
            return this;
        }

        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
            return this;
        }

        public Builder idempotencyRetention(Duration idempotencyRetention) {
            this.idempotencyRetention = idempotencyRetention;
            return this;
        }

        public Builder idempotencyCapacity(int idempotencyCapacity) {
            this.idempotencyCapacity = idempotencyCapacity;
            return this;
        }

        /** Requests per second one token may make; 0 for no limit. */
        public Builder rateLimit(double rateLimit) {
            this.rateLimit = rateLimit;
            return this;
        }

        public Builder rateLimitBurst(int rateLimitBurst) {
            this.rateLimitBurst = rateLimitBurst;
            return this;
        }

        public Builder webhooks(List<Webhook> webhooks) {
            this.webhooks = webhooks;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public IngestApiConfig build() {
            return new IngestApiConfig(
                    maxRequestSize,
                    maxBatchRequestSize,
                    maxBatchSize,
                    publishTimeout,
                    idempotencyRetention,
                    idempotencyCapacity,
                    rateLimit,
                    rateLimitBurst,
                    webhooks);
        }
    }

    /** How a webhook's sender signs its requests. */
    public enum SignatureScheme {
        /** GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}. */
        GITHUB,
        /** Stripe: {@code Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">} (v1 may repeat). */
        STRIPE,
        /** A configurable header carrying the HMAC-SHA256 of the body, hex or base64 (an optional {@code sha256=}). */
        HMAC_SHA256
    }

    /** How a generic HMAC signature is written. */
    public enum SignatureEncoding {
        /** Lowercase or uppercase hexadecimal. */
        HEX,
        /** Standard base64. */
        BASE64
    }

    /**
     * One webhook endpoint, {@code POST /webhooks/<name>}: each verified request becomes a job of {@code type} on
     * {@code queue}, its payload the raw body.
     *
     * @param name the path segment
     * @param queue the queue the jobs go to
     * @param type the jobs' type
     * @param scheme how requests are signed
     * @param secret the shared signing secret
     * @param header the signature header (for {@link SignatureScheme#HMAC_SHA256}; the scheme's own otherwise)
     * @param encoding how a generic signature is written
     * @param tolerance how far a signed timestamp (Stripe's, or {@code timestampHeader}'s) may be from now
     * @param timestampHeader for {@link SignatureScheme#HMAC_SHA256}: the header holding a signed Unix-seconds
     *     timestamp (the HMAC is then of {@code "<timestamp>.<body>"}); null for none
     * @param replayWindow how long a delivery is remembered so it is enqueued once (at least twice the tolerance
     *     when a timestamp is signed)
     */
    public record Webhook(
            String name,
            String queue,
            String type,
            SignatureScheme scheme,
            Password secret,
            String header,
            SignatureEncoding encoding,
            Duration tolerance,
            String timestampHeader,
            Duration replayWindow) {
        /** Validates the fields, naming the key. */
        public Webhook {
            checkName(WEBHOOKS, name);
            String prefix = WEBHOOKS.name() + "." + name;
            Objects.requireNonNull(queue, prefix + ".queue");
            if (!Topics.isValidQueue(queue)) {
                throw new ConfigException(prefix + ".queue is not a valid queue name: '" + queue + "'");
            }
            Objects.requireNonNull(type, prefix + ".type");
            if (type.isBlank()) {
                throw new ConfigException(prefix + ".type must not be blank");
            }
            Objects.requireNonNull(scheme, prefix + ".scheme");
            Objects.requireNonNull(secret, prefix + ".secret");
            if (secret.value().isEmpty()) {
                throw new ConfigException(prefix + ".secret must not be empty");
            }
            secret.requireReal(prefix + ".secret");
            header = switch (scheme) {
                case GITHUB -> "X-Hub-Signature-256";
                case STRIPE -> "Stripe-Signature";
                case HMAC_SHA256 -> {
                    if (header == null || header.isBlank()) {
                        throw new ConfigException(
                                prefix + ".header must name the signature header for scheme" + " hmac-sha256");
                    }
                    yield header;
                }
            };
            encoding = encoding == null ? SignatureEncoding.HEX : encoding;
            tolerance = tolerance == null ? DEFAULT_STRIPE_TOLERANCE : tolerance;
            if (tolerance.isNegative() || tolerance.isZero()) {
                throw new ConfigException(prefix + ".tolerance must be positive, got " + tolerance);
            }
            if (timestampHeader != null && timestampHeader.isBlank()) {
                timestampHeader = null;
            }
            if (timestampHeader != null && scheme != SignatureScheme.HMAC_SHA256) {
                throw new ConfigException(
                        prefix + ".timestamp-header is only for scheme hmac-sha256 (" + scheme + " has its own)");
            }
            replayWindow = replayWindow == null ? DEFAULT_REPLAY_WINDOW : replayWindow;
            if (replayWindow.compareTo(tolerance.multipliedBy(2)) < 0 && hasTimestamp(scheme, timestampHeader)) {
                replayWindow = tolerance.multipliedBy(2); // a signature is fresh for tolerance either side of now
            }
            if (replayWindow.isNegative() || replayWindow.isZero()) {
                throw new ConfigException(prefix + ".replay-window must be positive, got " + replayWindow);
            }
        }

        private static boolean hasTimestamp(SignatureScheme scheme, String timestampHeader) {
            return scheme == SignatureScheme.STRIPE || timestampHeader != null;
        }

        /** Whether the signature covers a timestamp that must be within {@link #tolerance()} of now. */
        public boolean signsTimestamp() {
            return hasTimestamp(scheme, timestampHeader);
        }

        /** A builder for the webhook {@code name}; the other settings start at their defaults. */
        public static Builder builder(String name, String queue, String type, SignatureScheme scheme, Password secret) {
            return new Builder(name, queue, type, scheme, secret);
        }

        /** A builder holding this webhook's settings, to change some of them. */
        public Builder toBuilder() {
            return builder(name, queue, type, scheme, secret)
                    .header(header)
                    .encoding(encoding)
                    .tolerance(tolerance)
                    .timestampHeader(timestampHeader)
                    .replayWindow(replayWindow);
        }

        /** A GitHub webhook. */
        public static Webhook github(String name, String queue, String type, String secret) {
            return builder(name, queue, type, SignatureScheme.GITHUB, Password.of(secret))
                    .build();
        }

        /** A Stripe webhook with the default tolerance (5 minutes). */
        public static Webhook stripe(String name, String queue, String type, String secret) {
            return builder(name, queue, type, SignatureScheme.STRIPE, Password.of(secret))
                    .build();
        }

        /** A generic HMAC-SHA256 webhook. */
        public static Webhook hmac(
                String name, String queue, String type, String secret, String header, SignatureEncoding encoding) {
            return builder(name, queue, type, SignatureScheme.HMAC_SHA256, Password.of(secret))
                    .header(header)
                    .encoding(encoding)
                    .build();
        }

        /** Builds a {@link Webhook}; unset settings take the scheme's defaults. */
        public static final class Builder {
            private final String name;
            private final String queue;
            private final String type;
            private final SignatureScheme scheme;
            private final Password secret;
            private String header;
            private SignatureEncoding encoding;
            private Duration tolerance;
            private String timestampHeader;
            private Duration replayWindow;

            private Builder(String name, String queue, String type, SignatureScheme scheme, Password secret) {
                this.name = name;
                this.queue = queue;
                this.type = type;
                this.scheme = scheme;
                this.secret = secret;
            }

            /** The signature header (hmac-sha256; the other schemes have their own). */
            public Builder header(String header) {
                this.header = header;
                return this;
            }

            /** How a generic signature is written; hex when unset. */
            public Builder encoding(SignatureEncoding encoding) {
                this.encoding = encoding;
                return this;
            }

            /** How far a signed timestamp may be from now; 5 minutes when unset. */
            public Builder tolerance(Duration tolerance) {
                this.tolerance = tolerance;
                return this;
            }

            /** The header holding a signed Unix-seconds timestamp (hmac-sha256 only); none when unset. */
            public Builder timestampHeader(String timestampHeader) {
                this.timestampHeader = timestampHeader;
                return this;
            }

            /** How long a delivery is remembered; {@link #DEFAULT_REPLAY_WINDOW} when unset. */
            public Builder replayWindow(Duration replayWindow) {
                this.replayWindow = replayWindow;
                return this;
            }

            /**
             * The webhook.
             *
             * @throws ConfigException naming the key of the first invalid setting
             */
            public Webhook build() {
                return new Webhook(
                        name, queue, type, scheme, secret, header, encoding, tolerance, timestampHeader, replayWindow);
            }
        }
    }

    private static List<Webhook> parseWebhooks(Map<String, String> entries) {
        Map<String, Map<String, String>> byName = group(
                WEBHOOKS,
                entries,
                Set.of(
                        "queue",
                        "type",
                        "scheme",
                        "secret",
                        "header",
                        "encoding",
                        "tolerance",
                        "timestamp-header",
                        "replay-window"));
        List<Webhook> webhooks = new ArrayList<>();
        byName.forEach((name, fields) -> {
            String prefix = WEBHOOKS.name() + "." + name;
            SignatureScheme scheme = parseEnum(SignatureScheme.class, required(fields, "scheme", prefix), prefix);
            SignatureEncoding encoding = fields.containsKey("encoding")
                    ? parseEnum(SignatureEncoding.class, fields.get("encoding"), prefix)
                    : null;
            Duration tolerance = duration(fields, "tolerance", prefix);
            Duration replayWindow = duration(fields, "replay-window", prefix);
            webhooks.add(Webhook.builder(
                            name,
                            required(fields, "queue", prefix),
                            required(fields, "type", prefix),
                            scheme,
                            Password.of(required(fields, "secret", prefix)))
                    .header(fields.get("header"))
                    .encoding(encoding)
                    .tolerance(tolerance)
                    .timestampHeader(fields.get("timestamp-header"))
                    .replayWindow(replayWindow)
                    .build());
        });
        return webhooks;
    }

    private static Duration duration(Map<String, String> fields, String field, String prefix) {
        if (!fields.containsKey(field)) {
            return null;
        }
        try {
            return ConfigType.DURATION.parse(fields.get(field));
        } catch (RuntimeException e) {
            throw new ConfigException("invalid value '" + fields.get(field) + "' for " + prefix + "." + field
                    + ": expected a duration such as 300s or 5m");
        }
    }

    private static Map<String, Map<String, String>> group(
            ConfigKey<?> key, Map<String, String> entries, Set<String> fields) {
        Map<String, Map<String, String>> byName = new LinkedHashMap<>();
        entries.forEach((entry, value) -> {
            int dot = entry.indexOf('.');
            String field = dot < 0 ? "" : entry.substring(dot + 1);
            if (dot < 0 || !fields.contains(field)) {
                throw new ConfigException("unknown key " + key.name() + "." + entry + ": expected " + key.name()
                        + ".<name>.<field> with a field among " + new java.util.TreeSet<>(fields));
            }
            byName.computeIfAbsent(entry.substring(0, dot), n -> new LinkedHashMap<>())
                    .put(field, value);
        });
        return byName;
    }

    private static String required(Map<String, String> fields, String field, String prefix) {
        String value = fields.get(field);
        if (value == null || value.isBlank()) {
            throw new ConfigException("missing required key " + prefix + "." + field);
        }
        return value.trim();
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String raw, String prefix) {
        String normalised = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(normalised)) {
                return constant;
            }
        }
        throw new ConfigException("invalid value '" + raw + "' for " + prefix + "."
                + (type == SignatureScheme.class ? "scheme" : "encoding") + ": expected one of "
                + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
    }

    private static void checkName(ConfigKey<?> key, String name) {
        Objects.requireNonNull(name, key.name() + ".<name>");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(key.name() + "." + name + ": names are lowercase letters and digits (they"
                    + " also appear in env vars and paths)");
        }
    }
}

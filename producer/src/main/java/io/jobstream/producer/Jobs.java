package io.jobstream.producer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.producer.internal.JobChecks;
import io.jobstream.producer.internal.Payloads;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Ulid;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds {@link Job}s to publish:
 *
 * <pre>{@code
 * Job job = Jobs.builder("send_email")
 *         .payload(Map.of("to", "a@example.com"))   // any object, written as JSON
 *         .orderingKey("customer-42")
 *         .delay(Duration.ofMinutes(5))
 *         .ttl(Duration.ofHours(1))
 *         .maxAttempts(5)
 *         .header("tenant", "acme")
 *         .build();
 * }</pre>
 */
public final class Jobs {
    /** Content type of a JSON payload. */
    public static final String JSON = Payloads.JSON;
    /** Content type of an Avro payload: Avro single-object encoding, the schema identified by its fingerprint. */
    public static final String AVRO = Payloads.AVRO;
    /** Content type of opaque bytes (the default for a byte payload). */
    public static final String OCTET_STREAM = Payloads.OCTET_STREAM;
    /** The earliest time a job may carry (due, expiry): the wire keeps epoch milliseconds from 1970. */
    public static final Instant EARLIEST_TIME = JobChecks.EARLIEST_TIME;
    /** The latest time a job may carry (due, expiry): 9999-12-31T23:59:59.999Z. */
    public static final Instant LATEST_TIME = JobChecks.LATEST_TIME;

    private Jobs() {}

    /** Whether a job may carry {@code time}: it lies between {@link #EARLIEST_TIME} and {@link #LATEST_TIME}. */
    public static boolean isRepresentable(Instant time) {
        return JobChecks.isRepresentable(time);
    }

    /** A builder for a job of {@code type} (the handler's name), with an empty payload. */
    public static Builder builder(String type) {
        return new Builder(type);
    }

    /**
     * Builds one {@link Job}. Not thread-safe; {@link #build()} may be called again for another job (with a new id
     * unless one was set). Times relative to now ({@link #delay}, {@link #ttl}) are taken at {@code build()}.
     */
    public static final class Builder {
        private final String type;
        private Clock clock = Clock.systemUTC();
        private String id;
        private byte[] payload = new byte[0];
        private String contentType = OCTET_STREAM;
        private String orderingKey;
        private Duration delay;
        private Instant notBefore;
        private Duration ttl;
        private Instant expiresAt;
        private Integer maxAttempts;
        private String traceParent;
        /** Made on the first header: most jobs have none. */
        private Map<String, String> headers;

        private Builder(String type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** The job id; a new ULID ({@link Ulid#next()}) when not set. Reusing an id lets consumers drop duplicates. */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * The payload: a {@link SpecificRecord} as {@link #payload(SpecificRecord) Avro}, a {@code byte[]} as opaque
         * bytes, anything else as JSON written by Jackson (records, maps, lists, {@code java.time} values as ISO-8601
         * text). A {@code String} becomes a JSON string; use {@link #jsonPayload(String)} for JSON text.
         *
         * @throws IllegalArgumentException when Jackson cannot write it
         */
        public Builder payload(Object value) {
            Objects.requireNonNull(value, "payload");
            if (value instanceof SpecificRecord record) {
                return payload(record);
            }
            if (value instanceof byte[] bytes) {
                return payload(bytes);
            }
            return payload(value, Payloads.MAPPER);
        }

        /** The payload as JSON written by {@code mapper}. */
        public Builder payload(Object value, ObjectMapper mapper) {
            Objects.requireNonNull(value, "payload");
            Objects.requireNonNull(mapper, "mapper");
            return setPayload(Payloads.json(mapper, value), JSON);
        }

        /**
         * The payload as JSON text, checked to be one well-formed JSON value and stored compactly.
         *
         * @throws IllegalArgumentException when it is not valid JSON
         */
        public Builder jsonPayload(String json) {
            return setPayload(Payloads.jsonText(Objects.requireNonNull(json, "payload")), JSON);
        }

        /** The payload as opaque bytes ({@value #OCTET_STREAM}). */
        public Builder payload(byte[] bytes) {
            return payload(bytes, OCTET_STREAM);
        }

        /** The payload as bytes of the given media type (e.g. {@code text/csv}). */
        public Builder payload(byte[] bytes, String contentType) {
            Objects.requireNonNull(bytes, "payload");
            Objects.requireNonNull(contentType, "contentType");
            if (contentType.isBlank()) {
                throw new IllegalArgumentException("contentType must not be blank");
            }
            return setPayload(bytes.clone(), contentType);
        }

        /** The payload as an Avro record in single-object encoding ({@value #AVRO}). */
        public Builder payload(SpecificRecord record) {
            return setPayload(Payloads.avro(Objects.requireNonNull(record, "payload")), AVRO);
        }

        /** Jobs with the same ordering key run one at a time, in order; it is also the record key. */
        public Builder orderingKey(String key) {
            this.orderingKey = Objects.requireNonNull(key, "orderingKey");
            return this;
        }

        /** Run no earlier than {@code delay} after {@link #build()}; replaces an earlier {@link #notBefore}. */
        public Builder delay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, got " + delay);
            }
            this.delay = delay;
            this.notBefore = null;
            return this;
        }

        /** Run no earlier than {@code time}; replaces an earlier {@link #delay}. */
        public Builder notBefore(Instant time) {
            this.notBefore = Objects.requireNonNull(time, "notBefore");
            this.delay = null;
            return this;
        }

        /** Do not run after {@code time} (it ends as EXPIRED); replaces an earlier {@link #ttl}. */
        public Builder expiresAt(Instant time) {
            this.expiresAt = Objects.requireNonNull(time, "expiresAt");
            this.ttl = null;
            return this;
        }

        /** Do not run later than {@code ttl} after {@link #build()}; replaces an earlier {@link #expiresAt}. */
        public Builder ttl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive, got " + ttl);
            }
            this.ttl = ttl;
            this.expiresAt = null;
            return this;
        }

        /** Attempts before the job is dead-lettered (at least 1); the queue's default when not set. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** A free-form header for the handler. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, "header value");
            if (name.isBlank()) {
                throw new IllegalArgumentException("header name must not be blank");
            }
            if (headers == null) {
                headers = new LinkedHashMap<>();
            }
            headers.put(name, value);
            return this;
        }

        /** Free-form headers for the handler, added to those set before. */
        public Builder headers(Map<String, String> values) {
            Objects.requireNonNull(values, "headers").forEach(this::header);
            return this;
        }

        /**
         * A W3C {@code traceparent} set by hand: the job's processing continues this context, and {@link JobPublisher}
         * keeps it as it is (its {@code send} span becomes a child of it). Leave it unset to have the publisher write its
         * {@code send} span's context, a child of the current span.
         */
        public Builder traceParent(String traceParent) {
            this.traceParent = Objects.requireNonNull(traceParent, "traceParent");
            return this;
        }

        /** The clock for {@code createdAt}, {@link #delay} and {@link #ttl} (tests); the system clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The job. Its headers map is read-only (set headers here); the builder can build again.
         *
         * @throws JobRejectedException {@code EMPTY_TYPE} for a blank type, {@code EXPIRES_BEFORE_DUE} when it
         *     expires no later than it is due, {@code INVALID_JOB} naming the field that breaks a charset, length or
         *     time rule of {@code JobChecks}
         */
        public Job build() {
            Instant now = Instant.ofEpochMilli(clock.millis()); // the wire keeps milliseconds
            // The all-args constructor: every field is set here, so the Avro builder's per-field default and
            // validity checks (a measurable share of a publish) are skipped; JobChecks validates below.
            Job job = new Job(
                    id != null ? id : Ulid.next(),
                    type,
                    ByteBuffer.wrap(payload),
                    contentType,
                    orderingKey,
                    1,
                    maxAttempts,
                    now,
                    delay != null ? after(now, delay, "delay") : notBefore,
                    ttl != null ? after(now, ttl, "ttl") : expiresAt,
                    headers == null
                            ? Collections.emptyMap()
                            : Collections.unmodifiableMap(new LinkedHashMap<>(headers)),
                    traceParent);
            JobChecks.checkIntrinsic(job);
            return job;
        }

        /** {@code now + duration}, or a rejection naming {@code field} when that is past what a job may carry. */
        private static Instant after(Instant now, Duration duration, String field) {
            if (duration.compareTo(Duration.between(now, JobChecks.LATEST_TIME)) > 0) {
                throw new JobRejectedException(
                        JobRejectedException.Reason.INVALID_JOB,
                        "field '" + field + "' of " + duration + " reaches past " + JobChecks.LATEST_TIME);
            }
            return now.plus(duration);
        }

        private Builder setPayload(byte[] bytes, String type) {
            this.payload = bytes;
            this.contentType = type;
            return this;
        }
    }
}

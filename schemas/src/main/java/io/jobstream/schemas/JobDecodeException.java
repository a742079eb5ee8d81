package io.jobstream.schemas;

import java.util.Objects;

/**
 * Bytes could not be decoded into a record. Every decode failure of this module is one of these, with a stable
 * {@link Reason}; no Avro, Jackson or I/O exception escapes a decoder.
 */
public final class JobDecodeException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    /** Why decoding failed: a stable code, safe to use in metrics and failure records. */
    public enum Reason {
        /** The value was null or had no bytes. */
        EMPTY,
        /** The first bytes match none of the formats this decoder reads. */
        UNKNOWN_FORMAT,
        /**
         * The writer schema (fingerprint or registry id) cannot be found: no released version has the fingerprint, the
         * registry has no schema with the id, or the record is Confluent-framed and no registry is configured.
         */
        UNKNOWN_SCHEMA,
        /** The writer schema was found but cannot be read as the expected record (not {@code Job}-compatible). */
        INCOMPATIBLE_SCHEMA,
        /** The bytes end before the record does, or a length claims more bytes than remain. */
        TRUNCATED,
        /** A field's value is malformed or missing. */
        INVALID_FIELD,
        /** The schema registry could not be reached or refused us; the same bytes may decode later. */
        REGISTRY_UNAVAILABLE;

        /** Whether decoding the same bytes again later may succeed. */
        public boolean retriable() {
            return this == REGISTRY_UNAVAILABLE;
        }
    }

    private final Reason reason;

    public JobDecodeException(Reason reason, String message) {
        this(reason, message, null);
    }

    public JobDecodeException(Reason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason") + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public boolean isRetriable() {
        return reason.retriable();
    }
}

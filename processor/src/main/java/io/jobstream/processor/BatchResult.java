package io.jobstream.processor;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link BatchHandler} reports: which items of its batch failed, and with what. Every item not named failed
 * succeeded. Immutable.
 *
 * <pre>{@code
 * BatchResult.Builder result = BatchResult.builder();
 * for (BatchItem<Email> item : items) {
 *     if (!mailer.accepted(item.payload())) result.fail(item, new MailRejectedException(item.payload().to()));
 * }
 * return result.build();
 * }</pre>
 */
public final class BatchResult {
    private static final BatchResult ALL_SUCCEEDED = new BatchResult(new IdentityHashMap<>());

    private final Map<BatchItem<?>, Throwable> failures;

    private BatchResult(Map<BatchItem<?>, Throwable> failures) {
        this.failures = failures;
    }

    /** Every item succeeded. */
    public static BatchResult allSucceeded() {
        return ALL_SUCCEEDED;
    }

    /** A builder of a result in which every item succeeded unless failed with {@link Builder#fail}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The error {@code item} failed with, or empty when it succeeded. */
    public Optional<Throwable> failureOf(BatchItem<?> item) {
        return Optional.ofNullable(failures.get(item));
    }

    /** How many items failed. */
    public int failureCount() {
        return failures.size();
    }

    @Override
    public String toString() {
        return "BatchResult[failures=" + failures.size() + "]";
    }

    /** Builds a {@link BatchResult}; not thread-safe. */
    public static final class Builder {
        private final Map<BatchItem<?>, Throwable> failures = new IdentityHashMap<>();

        private Builder() {}

        /** {@code item} failed with {@code error} (the last call for an item wins). */
        public Builder fail(BatchItem<?> item, Throwable error) {
            failures.put(Objects.requireNonNull(item, "item"), Objects.requireNonNull(error, "error"));
            return this;
        }

        /** The result. */
        public BatchResult build() {
            return new BatchResult(new IdentityHashMap<>(failures));
        }
    }
}

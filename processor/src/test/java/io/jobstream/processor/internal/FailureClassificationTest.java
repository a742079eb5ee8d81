package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.processor.NonRetryableException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class FailureClassificationTest {

    static final class Rejected extends NonRetryableException {
        private static final long serialVersionUID = 1L;

        Rejected() {
            super("rejected");
        }
    }

    @Test
    void retriesOrdinaryFaults() {
        assertThat(FailureClassification.isRetryable(new IOException("connection reset")))
                .isTrue();
        assertThat(FailureClassification.isRetryable(new IllegalStateException("busy")))
                .isTrue();
    }

    @Test
    void neverRetriesTheListedClassesTheirSubclassesOrFaultsCausedByThem() throws Exception {
        // Given a JSON mapping error from Jackson
        Exception mapping = null;
        try {
            new ObjectMapper().readValue("{\"x\":", java.util.Map.class);
        } catch (IOException e) {
            mapping = e;
        }

        // Then the marker, its subclasses, the listed JDK classes and Jackson errors are never retried
        assertThat(FailureClassification.isRetryable(new Rejected())).isFalse();
        assertThat(FailureClassification.isRetryable(new NumberFormatException("x")))
                .isFalse();
        assertThat(FailureClassification.isRetryable(new ClassCastException())).isFalse();
        assertThat(FailureClassification.isRetryable(mapping)).isFalse();
        assertThat(FailureClassification.isRetryable(new RuntimeException("wrapped", new Rejected())))
                .isFalse();
    }
}

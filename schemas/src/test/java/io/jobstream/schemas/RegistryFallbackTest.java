package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.testkit.SchemaRegistryServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A serde that may fall back to single-object (the records a worker or the dlq-service derives) does so only while
 * the registry stays unavailable, not when it is briefly overloaded.
 */
class RegistryFallbackTest {
    private SchemaRegistryServer registry;

    @BeforeEach
    void startRegistry() {
        registry = SchemaRegistryServer.start();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private JobSerde<JobFailure> failures() {
        return JobSerde.forFailure(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())))
                .fallingBackWhenRegistryUnavailable();
    }

    @Test
    void aRegistryBrieflyUnavailableStillGetsTheConfluentFormat() {
        // Given a registry that answers 503 to the next two requests (overloaded), then serves
        registry.unavailableFor(2);

        try (JobSerde<JobFailure> failures = failures()) {
            // When a failure record is encoded
            byte[] encoded = failures.encode("q.failed", Fixtures.failure());

            // Then it is Confluent-framed (magic byte 0): the registration was tried again, not given up on
            assertThat(encoded[0]).isZero();
            assertThat(failures.registryFallbacks()).isZero();
            assertThat(failures.decode("q.failed", null, encoded)).isEqualTo(Fixtures.failure());
        }
    }

    @Test
    void aRegistryThatStaysUnavailableGetsSingleObjectAfterThreeTries() {
        // Given a registry that answers 503 to everything
        registry.unavailable(true);

        try (JobSerde<JobFailure> failures = failures()) {
            // When a failure record is encoded
            byte[] encoded = failures.encode("q.failed", Fixtures.failure());

            // Then it is written single-object (C3 01), counted, after three tries of the registration
            assertThat(encoded[0]).isEqualTo((byte) 0xC3);
            assertThat(encoded[1]).isEqualTo((byte) 0x01);
            assertThat(failures.registryFallbacks()).isEqualTo(1);
            assertThat(registry.totalRequests()).isEqualTo(JobSerde.REGISTRY_TRIES);
        }
    }
}

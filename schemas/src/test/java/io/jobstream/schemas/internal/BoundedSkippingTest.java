package io.jobstream.schemas.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jobstream.schemas.HostileSchemas;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import java.time.Duration;
import java.util.Arrays;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/**
 * Reading or skipping collections costs at most one step per input byte, whatever the writer schema: a writer with
 * zero-size items (an {@code array<null>}) made skipping quadratic (96 KB took 2.7 s, 1 MiB minutes).
 */
class BoundedSkippingTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void aMebibyteOfZeroSizeItemsIsRefusedAfterAtMostOneItemPerInputByte() {
        // Given a mebibyte in the hostile writer schema, read as a Job
        byte[] body = HostileSchemas.body(HostileSchemas.job(), MIB);
        SpecificDatumReader<Job> reader = new SpecificDatumReader<>(HostileSchemas.jobWithNullArray(), Job.SCHEMA$);
        BoundedBinaryDecoder decoder = new BoundedBinaryDecoder().reset(body, 0, body.length);

        // When it is decoded (the timeout only guards against a hang: the old decoder took minutes)
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> assertThatThrownBy(() -> reader.read(null, decoder))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD)));

        // Then it is refused having walked no more items than the input has bytes
        assertThat(decoder.itemsAnnounced()).isPositive().isLessThanOrEqualTo(body.length);
    }

    @Test
    void aRealRecordWithCollectionsStillDecodes() throws Exception {
        // Given a job with headers, written as the shipped schema writes it
        Job job = HostileSchemas.job();
        byte[] singleObject = JobSerde.forJob(SerdeConfig.singleObject()).encode("jobs", job);
        byte[] body = Arrays.copyOfRange(singleObject, 10, singleObject.length);

        // When read with the budget / Then it is the job, and its items were counted
        BoundedBinaryDecoder decoder = new BoundedBinaryDecoder().reset(body, 0, body.length);
        assertThat(new SpecificDatumReader<>(Job.SCHEMA$, Job.SCHEMA$).read(null, decoder))
                .isEqualTo(job);
        assertThat(decoder.itemsAnnounced()).isEqualTo(job.getHeaders().size());
    }
}

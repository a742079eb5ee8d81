package io.jobstream.dev.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.schemas.Job;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemoWorkloadTest {

    @Test
    void theMixHasEveryKindTheDemoPromises() {
        // Given the demo's job generator with a fixed seed
        SplittableRandom random = new SplittableRandom(42);

        // When it makes 2,000 jobs
        List<Job> jobs = new ArrayList<>();
        for (int n = 0; n < 2_000; n++) {
            jobs.add(DemoWorkload.next(n, random));
        }

        // Then most run at once with log or sleep, some fail once, some always (2 attempts), some are delayed
        assertThat(jobs)
                .filteredOn(
                        job -> job.getType().equals("log") && job.getNotBefore().isEmpty())
                .hasSizeBetween(900, 1_300);
        assertThat(jobs).filteredOn(job -> job.getType().equals("sleep")).hasSizeBetween(250, 550);
        assertThat(jobs).filteredOn(job -> payload(job).equals("{\"times\":1}")).hasSizeBetween(150, 350);
        List<Job> doomed = jobs.stream()
                .filter(job -> payload(job).equals("{\"always\":true}"))
                .toList();
        assertThat(doomed).hasSizeBetween(50, 170);
        assertThat(doomed).allSatisfy(job -> assertThat(job.getMaxAttempts()).contains(2));
        List<Job> delayed =
                jobs.stream().filter(job -> job.getNotBefore().isPresent()).toList();
        assertThat(delayed).hasSizeBetween(100, 250);
        assertThat(delayed).allSatisfy(job -> assertThat(job.getNotBefore().orElseThrow())
                .isAfterOrEqualTo(job.getCreatedAt().plusSeconds(5))
                .isBeforeOrEqualTo(job.getCreatedAt().plusSeconds(30)));
    }

    private static String payload(Job job) {
        return StandardCharsets.UTF_8.decode(job.getPayload().duplicate()).toString();
    }
}

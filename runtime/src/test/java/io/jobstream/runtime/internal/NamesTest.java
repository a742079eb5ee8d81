package io.jobstream.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void envVarIsTheKeyUppercasedWithDotsAndDashesAsUnderscores() {
        assertThat(Names.envVar("jobstream.worker.concurrency")).isEqualTo("JOBSTREAM_WORKER_CONCURRENCY");
        assertThat(Names.envVar("jobstream.kafka.bootstrap-servers")).isEqualTo("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void suggestsTheClosestKeyOnlyWhenItIsClose() {
        List<String> known = List.of("jobstream.kafka.bootstrap-servers", "jobstream.kafka.client-id");

        assertThat(Names.closest("jobstream.kafka.bootstrap.servers", known))
                .contains("jobstream.kafka.bootstrap-servers");
        assertThat(Names.closest("jobstream.scheduler.timezone", known)).isEmpty();
    }
}

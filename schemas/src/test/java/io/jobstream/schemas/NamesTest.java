package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class NamesTest {
    private static final UUID INSTANCE = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");

    @Test
    void namesEveryGroupAndTransactionalIdOfAQueueAfterTheQueue() {
        assertThat(Names.workerGroup("emails")).isEqualTo("emails.workers");
        assertThat(Names.dlqRouter("emails")).isEqualTo("emails.dlq-router");
        assertThat(Names.delayForwarderGroup("emails")).isEqualTo("emails.delay-forwarder");
        assertThat(Names.delayForwarderTransactionalId("emails", INSTANCE))
                .isEqualTo("emails.delay-forwarder-0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThat(Names.dlqReplayTransactionalId("emails")).isEqualTo("emails.dlq-replay");
    }

    @Test
    void aPrefixOfTheQueueNameAndADotCoversEveryNameOfTheQueue() {
        // Given every per-queue name, the Streams-derived ones included (application id + "-" + suffix)
        List<String> names = List.of(
                Names.workerGroup("emails"),
                Names.dlqRouter("emails"),
                Names.dlqRouter("emails") + "-routed-attempts-changelog",
                Names.delayForwarderGroup("emails"),
                Names.delayForwarderTransactionalId("emails", INSTANCE),
                Names.dlqReplayTransactionalId("emails"));
        // Then one PREFIXED ACL on "emails." matches them all, and none of them can be a queue
        assertThat(names).allSatisfy(name -> {
            assertThat(name).startsWith("emails.");
            assertThat(name).isNotEqualTo("emails");
        });
        assertThat(Topics.notAQueue(Names.dlqRouter("emails") + "-routed-attempts-changelog"))
                .isPresent();
    }

    @Test
    void namesSharedByEveryQueueStartWithJobstream() {
        assertThat(List.of(
                        Names.STATUS_APPLICATION_ID,
                        Names.DLQ_ALERTS_GROUP,
                        Names.schedulerTransactionalId("jobstream.schedules")))
                .allSatisfy(name -> assertThat(name).startsWith("jobstream-"));
        assertThat(Names.schedulerTransactionalId("jobstream.schedules"))
                .isEqualTo("jobstream-scheduler.jobstream.schedules");
    }

    @Test
    void keepsTheRouterNameOfOlderVersionsToCarryItsOffsetsOver() {
        assertThat(Names.legacyDlqRouter("emails")).isEqualTo("jobstream-dlq-router-emails");
    }

    @Test
    void refusesAnInvalidQueue() {
        assertThatThrownBy(() -> Names.dlqRouter("Emails"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid");
    }
}

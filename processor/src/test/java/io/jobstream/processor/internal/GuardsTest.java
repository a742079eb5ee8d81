package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.coordination.Coordination;
import io.jobstream.processor.CoordinationRules;
import io.jobstream.processor.KeyTemplate;
import io.jobstream.schemas.Job;
import io.jobstream.testkit.ManualClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 17 §3: the guards of one queue never see another queue's job ids, locks, semaphores or rate limiters. */
class GuardsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final Coordination store = Coordination.inMemory(clock);
    private final Guards queueA = new Guards(store, "queue-a", Duration.ZERO, Duration.ofHours(1));
    private final Guards queueB = new Guards(store, "queue-b", Duration.ZERO, Duration.ofHours(1));

    private static Job job(String id, String payload) {
        return Job.newBuilder()
                .setId(id)
                .setType("charge")
                .setPayload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setHeaders(Map.of())
                .setCreatedAt(Instant.EPOCH)
                .build();
    }

    @Test
    void theSameJobIdInTwoQueuesRunsInBothAndADoneMarkIsSeenOnlyByItsQueue() {
        // Given idempotent jobs, and job order-7 run to success on queue A
        CoordinationRules idempotent =
                CoordinationRules.builder().idempotent(true).build();
        Guards.Admission first = queueA.admit(job("order-7", "{}"), idempotent);
        assertThat(first).isInstanceOf(Guards.Admission.Admitted.class);
        ((Guards.Admission.Admitted) first).held().succeeded("order-7");

        // When queue A gets the id again, and queue B gets a job with the same id
        Guards.Admission againOnA = queueA.admit(job("order-7", "{}"), idempotent);
        Guards.Admission onB = queueB.admit(job("order-7", "{}"), idempotent);

        // Then A skips its own redelivery, and B's job runs: A's done mark did not mark it done
        assertThat(againOnA).isInstanceOf(Guards.Admission.Skip.class);
        assertThat(onB).isInstanceOf(Guards.Admission.Admitted.class);
    }

    @Test
    void aLockTemplateResolvesInsideItsQueueSoTwoQueuesNeverShareALock() {
        // Given the same lock template on two queues, and queue A's job holding account 42's lock
        CoordinationRules locked = CoordinationRules.builder()
                .lock(KeyTemplate.parse("acct-${payload.account}"), Duration.ofSeconds(30))
                .build();
        Guards.Admission onA = queueA.admit(job("a-1", "{\"account\":\"42\"}"), locked);
        assertThat(onA).isInstanceOf(Guards.Admission.Admitted.class);

        // When queue B's job names the same account, and one tries to reach queue A's name through its payload
        Guards.Admission onB = queueB.admit(job("b-1", "{\"account\":\"42\"}"), locked);
        Guards.Admission forged = queueB.admit(job("b-2", "{\"account\":\"../queue-a/acct-42\"}"), locked);
        Guards.Admission secondOnA = queueA.admit(job("a-2", "{\"account\":\"42\"}"), locked);

        // Then B's jobs take locks of their own; only a second job of queue A waits for A's lock
        assertThat(onB).isInstanceOf(Guards.Admission.Admitted.class);
        assertThat(forged).isInstanceOf(Guards.Admission.Admitted.class);
        assertThat(secondOnA).isInstanceOf(Guards.Admission.Defer.class);
        assertThat(((Guards.Admission.Defer) secondOnA).reason()).isEqualTo(Guards.LOCK_BUSY);
    }

    @Test
    void semaphoresOfTheSameNameArePerQueue() {
        // Given a one-permit semaphore held by queue A
        CoordinationRules one = CoordinationRules.builder().semaphore("smtp", 1).build();
        assertThat(queueA.admit(job("a-1", "{}"), one)).isInstanceOf(Guards.Admission.Admitted.class);

        // When queue B asks for a permit of the same name, and queue A for another
        Guards.Admission onB = queueB.admit(job("b-1", "{}"), one);
        Guards.Admission secondOnA = queueA.admit(job("a-2", "{}"), one);

        // Then B has its own semaphore; A's is full
        assertThat(onB).isInstanceOf(Guards.Admission.Admitted.class);
        assertThat(secondOnA).isInstanceOf(Guards.Admission.Defer.class);
    }

    @Test
    void queueKeysScopeEveryNameAndEscapeJobIds() {
        assertThat(QueueKeys.jobId("emails", "order-7")).isEqualTo("emails/order-7");
        assertThat(QueueKeys.jobId("emails", "a/b{c}%\n")).isEqualTo("emails/a%2Fb%7Bc%7D%25%0A");
        assertThat(QueueKeys.name("emails", "acct-42")).isEqualTo("emails/acct-42");
        assertThat(QueueKeys.jobId("a", "b/c")).isNotEqualTo(QueueKeys.jobId("a/b", "c"));
    }
}

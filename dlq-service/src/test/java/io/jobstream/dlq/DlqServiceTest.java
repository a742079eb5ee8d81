package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Names;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DlqServiceTest {
    private final DlqService service = DlqService.builder(
                    DlqServiceConfig.defaults(List.of("emails")),
                    KafkaSettings.builder().bootstrapServers("127.0.0.1:1").build())
            .build();

    @Test
    void aServiceNotStartedIsNotReady() throws Exception {
        assertThat(service.isRunning()).isFalse();
        assertThat(service.readinessCheck().check()).isEqualTo(CheckResult.down("not started"));
    }

    @Test
    void closingIsIdempotentAndAClosedServiceCannotStart() {
        assertThat(service.close(Duration.ofSeconds(1))).isTrue();
        assertThat(service.close(Duration.ofSeconds(1))).isTrue();
        assertThatThrownBy(service::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void namesItsStreamsApplicationAndForwarderGroupAfterTheQueue() {
        assertThat(Names.dlqRouter("emails")).isEqualTo("emails.dlq-router");
        assertThat(Names.delayForwarderGroup("emails")).isEqualTo("emails.delay-forwarder");
    }
}

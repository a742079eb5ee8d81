package io.jobstream.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.testkit.RedisFlavor;
import org.junit.jupiter.api.Test;

class ProcessRedisNodeTest {

    @Test
    void missingRedisNamesTheDebianPackage() {
        // When neither binary is installed
        String message = ProcessRedisNode.missingBinaryMessage(RedisFlavor.REDIS);

        // Then the message says what to install
        assertThat(message).contains("redis-server", "dragonfly", "apt-get install redis-server");
    }

    @Test
    void missingDragonflyNamesTheSettingThatAskedForIt() {
        assertThat(ProcessRedisNode.missingBinaryMessage(RedisFlavor.DRAGONFLY))
                .contains("JOBSTREAM_TEST_REDIS=dragonfly", "apt-get install redis-server");
    }

    @Test
    void findsExecutablesOnThePath() {
        // sh is on every PATH this project runs on; a made-up name is on none
        assertThat(ProcessRedisNode.findOnPath("sh")).isPresent();
        assertThat(ProcessRedisNode.findOnPath("no-such-binary-jobstream")).isEmpty();
    }
}

package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.RedisServer;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract as a Redis ACL user that may touch only {@code jobstream:*} keys and channels: every script must
 * declare its keys, and they must all follow the key scheme.
 */
@JobstreamTest
class RedisAclCoordinationIT extends CoordinationContract {

    private static final String USER = "jobstream-coordination";
    private static final String PASSWORD = "acl-secret";

    private String restrictedUri;
    private Coordination first;
    private Coordination second;

    @BeforeEach
    void connectAsRestrictedUser(RedisServer redis) {
        RedisClient admin = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> connection = admin.connect()) {
            connection
                    .sync()
                    .aclSetuser(
                            USER,
                            AclSetuserArgs.Builder.reset()
                                    .on()
                                    .addPassword(PASSWORD)
                                    .keyPattern("jobstream:*")
                                    .channelPattern("jobstream:*")
                                    .allCommands());
        } finally {
            admin.shutdown();
        }
        restrictedUri = "redis://" + USER + ":" + PASSWORD + "@" + redis.host() + ":" + redis.port();
        first = Coordination.redis(CoordinationConfig.of(restrictedUri));
        second = Coordination.redis(CoordinationConfig.of(restrictedUri));
    }

    @AfterEach
    void disconnect() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Override
    protected Coordination first() {
        return first;
    }

    @Override
    protected Coordination second() {
        return second;
    }

    @Test
    void theRestrictedUserCannotTouchOtherKeysAndItsPasswordIsNeverShown() {
        // Given the restricted user's own connection
        RedisClient client = RedisClient.create(restrictedUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            // When it writes a key outside jobstream:*, Then the server refuses
            assertThatThrownBy(() -> connection.sync().set("elsewhere", "x"))
                    .isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessageContaining("NOPERM");
        } finally {
            client.shutdown();
        }
        // And the coordination names its store without the password
        assertThat(first.location()).isEqualTo(restrictedUri.replace(PASSWORD, "***"));
        assertThat(first.location()).doesNotContain(PASSWORD);
    }
}

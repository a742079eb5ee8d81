package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisServerIT {

    @Test
    void clientSeesKillAsFailuresAndReconnectsAfterRestart() {
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.constant(Duration.ofMillis(100)))
                .build();
        try (RedisServer redis =
                RedisServer.builder().name("redis-kill").build().start()) {
            RedisClient client = RedisClient.create(resources, RedisURI.create(redis.uri()));
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.setTimeout(Duration.ofSeconds(2));
                RedisCommands<String, String> commands = connection.sync();

                // Given a client that sees the server
                assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
                assertThat(commands.set("job:1", "running")).isEqualTo("OK");
                assertThat(commands.get("job:1")).isEqualTo("running");

                // When the server is killed with SIGKILL
                redis.kill();

                // Then commands fail
                assertThat(redis.isRunning()).isFalse();
                assertThatThrownBy(commands::ping).isInstanceOf(RedisException.class);

                // When it is restarted on the same port
                int port = redis.port();
                redis.restart();

                // Then the same client reconnects and commands succeed again, on an empty server (no persistence)
                assertThat(redis.port()).isEqualTo(port);
                await().atMost(Duration.ofSeconds(20))
                        .ignoreExceptionsInstanceOf(RedisException.class)
                        .until(() -> "PONG".equals(commands.ping()));
                assertThat(commands.get("job:1")).isNull();
            } finally {
                client.shutdown();
            }
        } finally {
            resources.shutdown();
        }
    }

    @Test
    void stopEndsTheServerAndCloseIsIdempotent() {
        // Given a running server
        RedisServer redis = RedisServer.builder().name("redis-stop").build().start();
        try {
            assertThat(redis.isRunning()).isTrue();
            assertThat(redis.flavor()).isEqualTo(RedisFlavor.REDIS);
            assertThat(redis.backend()).isEqualTo(Backend.PROCESS);

            // When it is stopped gracefully
            redis.stop();

            // Then it is gone, and its output was kept
            assertThat(redis.isRunning()).isFalse();
            assertThat(redis.logFile()).exists().content().contains("redis-server");
        } finally {
            redis.close();
            redis.close();
        }
        assertThat(redis.isRunning()).isFalse();
    }
}

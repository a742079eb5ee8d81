package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract on a 3-master Redis Cluster through Lettuce's cluster client: each script's keys must share one hash
 * slot (a script whose keys spanned slots would fail with {@code CROSSSLOT}).
 */
class RedisClusterCoordinationIT extends CoordinationContract {

    private static final List<RedisServer> NODES = new ArrayList<>();

    private Coordination first;
    private Coordination second;

    @BeforeAll
    static void startCluster() throws Exception {
        try {
            for (int i = 0; i < 3; i++) {
                NODES.add(RedisServer.builder()
                        .name("coordination-cluster-" + i)
                        .argument("--cluster-enabled", "yes", "--cluster-node-timeout", "5000")
                        .build()
                        .start());
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            NODES.forEach(node -> create.add(node.host() + ":" + node.port()));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process process =
                    new ProcessBuilder(create).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> NODES.stream().allMatch(RedisClusterCoordinationIT::clusterOk));
        } catch (Exception | AssertionError e) {
            stopCluster();
            throw e;
        }
    }

    @AfterAll
    static void stopCluster() {
        NODES.forEach(RedisServer::close);
        NODES.clear();
    }

    private static boolean clusterOk(RedisServer node) {
        try {
            return clusterInfo(node).contains("cluster_state:ok");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String clusterInfo(RedisServer node) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("redis-cli", "-p", Integer.toString(node.port()), "cluster", "info")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return output;
    }

    @BeforeEach
    void connect() {
        CoordinationConfig config =
                CoordinationConfig.builder(NODES.getFirst().uri()).cluster(true).build();
        first = Coordination.redis(config);
        second = Coordination.redis(
                CoordinationConfig.builder(NODES.getLast().uri()).cluster(true).build());
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
    void primitivesOfDifferentNamesLiveOnDifferentMasters() {
        // Given locks of many names (their hash tags spread over the slots of all three masters)
        List<Lock> locks = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            locks.add(first.locks()
                    .tryAcquire(unique("spread"), Duration.ofSeconds(10), Duration.ZERO)
                    .orElseThrow());
        }

        // Then every one was granted and is held where the cluster routes it
        assertThat(locks).allMatch(Lock::validate);
        locks.forEach(Lock::release);
    }
}

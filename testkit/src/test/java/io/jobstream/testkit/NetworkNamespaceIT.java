package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A process in a {@link NetworkNamespace} reaches a server on its host address; partitioned, its packets vanish (a
 * connect hangs until given up on, it is not refused); healed, it reaches it again; closed, the namespace is gone.
 * Needs root and iproute2: without them it fails, saying so.
 */
class NetworkNamespaceIT {

    @Test
    void aPartitionIsABlackholeBothWaysUntilHealedAndCloseRemovesTheNamespace() throws Exception {
        String name;
        try (NetworkNamespace ns = NetworkNamespace.create("kit");
                ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(ns.hostAddress()))) {
            name = ns.name();
            String connect = "exec 3<>/dev/tcp/" + ns.hostAddress() + "/" + server.getLocalPort();

            // Given a namespace that reaches a server bound to its host address
            assertThat(inside(ns, connect)).isZero();

            // When it is partitioned, then a connection attempt gets no answer at all (no refusal)
            ns.partition();
            assertThat(ns.isPartitioned()).isTrue();
            assertThat(inside(ns, connect))
                    .as("exit of timeout(1): 124 when the connect hung")
                    .isEqualTo(124);

            // When it is healed, then it connects again
            ns.heal();
            assertThat(inside(ns, connect)).isZero();
        }

        // Then closing deleted it
        assertThat(run(List.of("ip", "netns", "list"))).doesNotContain(name);
    }

    /** Runs {@code script} with bash in the namespace, given up on after 3 s (exit 124); returns its exit code. */
    private static int inside(NetworkNamespace ns, String script) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(ns.launcher());
        command.addAll(List.of("timeout", "3", "bash", "-c", script));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}

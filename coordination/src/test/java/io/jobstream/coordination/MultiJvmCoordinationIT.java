package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Locks and permits across two JVMs: this one and a child running {@link LockContender}. */
@JobstreamTest
class MultiJvmCoordinationIT {

    private final List<Process> children = new ArrayList<>();
    private Coordination coordination;
    private String uri;

    @BeforeEach
    void connect(RedisServer redis) {
        uri = redis.uri();
        coordination = Coordination.redis(CoordinationConfig.of(uri));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        coordination.close();
    }

    @Test
    void eightThreadsInEachOfTwoJvmsNeverHoldTheLockTogether() throws Exception {
        // Given a child JVM and this one, 8 virtual threads each, contending for one lock
        String lock = "cross-jvm-" + UUID.randomUUID();
        Duration run = Duration.ofSeconds(20);
        Child child = start("contend", uri, lock, Long.toString(run.toMillis()), "8");

        // When both contend for the run
        LockContender.Result here = LockContender.contend(coordination, uri, lock, run, 8);
        String childLine = child.lines.poll(90, TimeUnit.SECONDS);

        // Then neither saw two holders at once nor a fencing token that did not increase, and both got the lock
        assertThat(childLine).as("child output").isNotNull();
        Matcher matcher = Pattern.compile("grants=(\\d+) violations=(\\d+)").matcher(childLine);
        assertThat(matcher.matches()).as(childLine).isTrue();
        assertThat(here.violations()).isZero();
        assertThat(Integer.parseInt(matcher.group(2))).isZero();
        assertThat(here.grants()).isPositive();
        assertThat(Integer.parseInt(matcher.group(1))).isPositive();
        assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        System.out.printf("cross-JVM mutual exclusion: this JVM %d grants, child %s%n", here.grants(), childLine);
    }

    @Test
    void aKilledHoldersLockAndPermitsAreFreedWithinTheLeasePlusASecond() throws Exception {
        // Given a child JVM holding a lock and 5 of 10 permits with 2 s leases renewed by its watchdog
        String lock = "killed-" + UUID.randomUUID();
        String semaphoreName = "killed-pool-" + UUID.randomUUID();
        Duration lease = Duration.ofSeconds(2);
        Child child = start("hold", uri, lock, semaphoreName, Long.toString(lease.toMillis()));
        assertThat(child.lines.poll(60, TimeUnit.SECONDS)).startsWith("HELD ");
        Semaphore semaphore = coordination.semaphore(semaphoreName, 10, lease);
        await().during(lease).atMost(lease.plusSeconds(5)).until(() -> semaphore.held() == 5);

        // When the child is killed (SIGKILL)
        child.process.destroyForcibly();

        // Then within the lease plus a second the lock can be taken and no permit is held
        await().atMost(lease.plusSeconds(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> semaphore.held() == 0
                        && coordination
                                .locks()
                                .tryAcquire(lock, Duration.ofSeconds(5), Duration.ZERO)
                                .map(Lock::release)
                                .orElse(false));
    }

    @Test
    void aHolderPausedPastItsLeaseIsRefusedAfterItResumesAndItsTokenIsStale() throws Exception {
        // Given a child JVM holding a lock with a 1 s lease renewed by its watchdog
        String lock = "paused-" + UUID.randomUUID();
        Duration lease = Duration.ofSeconds(1);
        Child child = start("hold", uri, lock, "paused-pool-" + UUID.randomUUID(), Long.toString(lease.toMillis()));
        String held = child.lines.poll(60, TimeUnit.SECONDS);
        assertThat(held).startsWith("HELD ");
        long staleToken = Long.parseLong(held.substring("HELD ".length()));

        // When the child is paused (SIGSTOP) past its lease, and this JVM takes the lock meanwhile
        signal("STOP", child.process);
        Lock successor;
        try {
            successor = coordination
                    .locks()
                    .tryAcquire(lock, Duration.ofSeconds(30), Duration.ofSeconds(10))
                    .orElseThrow();
        } finally {
            signal("CONT", child.process);
        }

        // Then the successor's token is greater, and the resumed holder's renew and release are refused
        assertThat(successor.fencingToken()).isGreaterThan(staleToken);
        child.stdin.println("check");
        child.stdin.flush();
        assertThat(child.lines.poll(30, TimeUnit.SECONDS)).isEqualTo("renew=false release=false valid=false");
        assertThat(successor.validate()).isTrue();
        assertThat(successor.release()).isTrue();
    }

    private record Child(Process process, BlockingQueue<String> lines, PrintWriter stdin) {}

    private Child start(String... args) throws IOException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        List<String> command = new ArrayList<>(
                List.of(java.toString(), "-cp", System.getProperty("java.class.path"), LockContender.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        children.add(process);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child ended
            }
        });
        return new Child(process, lines, new PrintWriter(process.getOutputStream(), false, StandardCharsets.UTF_8));
    }

    private static void signal(String signal, Process process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}

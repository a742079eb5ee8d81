package io.jobstream.testkit;

import io.jobstream.testkit.internal.FreePorts;
import io.jobstream.testkit.internal.ManagedProcess;
import io.jobstream.testkit.internal.TestkitLogs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * An independent Confluent-compatible schema registry for tests: Apicurio Registry 2.4.2 (in-memory storage) as a
 * child JVM on a free port of 127.0.0.1, serving the Confluent Schema Registry API at {@link #confluentUrl()}
 * ({@code http://127.0.0.1:<port>/apis/ccompat/v7}, a base URL with a path). Unlike {@link SchemaRegistryServer}
 * (this project's own in-process stand-in), nobody here wrote it.
 *
 * <pre>{@code
 * try (ApicurioRegistry registry = ApicurioRegistry.start()) {
 *     String url = registry.confluentUrl();   // jobstream.schemas.registry.url
 * }
 * }</pre>
 *
 * <p>The server is the jar the {@code testkit-registry} module builds ({@code
 * testkit-registry/target/quarkus-app/quarkus-run.jar}, found from the working directory upwards, or named by the
 * system property {@value #JAR_PROPERTY}); the reactor builds it before any module's tests. {@link #start()} returns
 * once the API answers, with global compatibility set to {@code BACKWARD} (Apicurio's default is {@code NONE},
 * Confluent's {@code BACKWARD}). Its output goes to {@code target/testkit-logs/apicurio-registry-<pid>-<n>/}.
 *
 * <p>Thread-safe; {@link #close()} is idempotent: SIGTERM, a grace period, then SIGKILL (exit code 143 is its normal
 * end); a JVM shutdown hook ends it if a test JVM exits without closing it. Its data is gone with the process.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property naming the registry's {@code quarkus-run.jar}, overriding the search. */
    public static final String JAR_PROPERTY = "jobstream.testkit.registry.jar";

    /** The Confluent-compatible API's path on the server. */
    public static final String CONFLUENT_API_PATH = "/apis/ccompat/v7";

    private static final Path RELATIVE_JAR = Path.of("testkit-registry", "target", "quarkus-app", "quarkus-run.jar");
    private static final List<String> JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final ManagedProcess process;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean closed;

    private ApicurioRegistry(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts a registry on a free loopback port and waits until its Confluent API answers.
     *
     * @throws TestkitException when the jar has not been built (the message says how to build it), the process dies,
     *     or it does not answer in time; the process is ended in that case
     */
    public static ApicurioRegistry start() {
        Path jar = jar();
        int port = FreePorts.allocate(1)[0];
        Path log = TestkitLogs.newDirectory(TestkitLogs.defaultRoot(), "apicurio-registry")
                .resolve("apicurio-registry.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        command.add("-DHTTP_PORT=" + port);
        command.add("-jar");
        command.add(jar.toString());
        ApicurioRegistry registry = new ApicurioRegistry(ManagedProcess.start("apicurio-registry", command, log), port);
        try {
            registry.awaitReady();
            registry.setGlobalCompatibility("BACKWARD");
            return registry;
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /** The built server jar: {@value #JAR_PROPERTY}, else {@code testkit-registry/target/...} here or above. */
    static Path jar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path jar = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(jar)) {
                throw new TestkitException(JAR_PROPERTY + "=" + configured + ": no such file");
            }
            return jar;
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE_JAR);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new TestkitException("The schema registry is not built: no " + RELATIVE_JAR + " in "
                + System.getProperty("user.dir") + " or above. Build it from the project root with"
                + " './mvnw -B -pl testkit-registry package' (the full build does it first), or set -D" + JAR_PROPERTY);
    }

    /** {@code http://127.0.0.1:<port>/apis/ccompat/v7}: the base URL for any Confluent client. */
    public String confluentUrl() {
        return "http://127.0.0.1:" + port + CONFLUENT_API_PATH;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return process.logFile();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * Sets the registry-wide compatibility rule ({@code PUT /config}), e.g. {@code BACKWARD}, {@code NONE}.
     *
     * @throws TestkitException when the registry does not answer 200
     */
    public void setGlobalCompatibility(String level) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(confluentUrl() + "/config"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"compatibility\":\"" + level + "\"}", StandardCharsets.UTF_8)));
        if (response.statusCode() != 200) {
            throw new TestkitException("PUT " + confluentUrl() + "/config " + level + " answered HTTP "
                    + response.statusCode() + ": " + response.body());
        }
    }

    private void awaitReady() {
        URI subjects = URI.create(confluentUrl() + "/subjects");
        try {
            Awaitility.await("the schema registry on port " + port + " to answer")
                    .atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new TestkitException(
                                    "The schema registry died while starting: " + process.describe());
                        }
                        try {
                            return http.send(
                                                    HttpRequest.newBuilder(subjects)
                                                            .timeout(Duration.ofSeconds(2))
                                                            .build(),
                                                    HttpResponse.BodyHandlers.discarding())
                                            .statusCode()
                                    == 200;
                        } catch (IOException e) {
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new TestkitException(
                    "The schema registry did not answer within " + START_TIMEOUT + ": " + process.describe(), e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TestkitException("The schema registry on port " + port + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while calling the schema registry", e);
        }
    }

    /** SIGTERM, up to 15 s to exit, then SIGKILL; returns once the process is gone. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            process.terminate(STOP_GRACE);
        } finally {
            http.close();
        }
    }
}

package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    enum Mode {
        FAST,
        SAFE_MODE
    }

    static final ConfigKey<Integer> CONCURRENCY = ConfigKey.intKey("jobstream.worker.concurrency")
            .defaultValue(8)
            .validator(ConfigValidator.range(1, 1024))
            .unit("jobs")
            .doc("Jobs run at once.")
            .build();
    static final ConfigKey<Duration> POLL_TIMEOUT = ConfigKey.durationKey("jobstream.worker.poll-timeout")
            .defaultValue(Duration.ofMillis(500))
            .doc("Poll timeout.")
            .build();
    static final ConfigKey<Long> MAX_PAYLOAD = ConfigKey.sizeKey("jobstream.worker.max-payload")
            .defaultValue(1L << 20)
            .doc("Largest payload.")
            .build();
    static final ConfigKey<String> QUEUE = ConfigKey.stringKey("jobstream.worker.queue")
            .doc("Queue to consume.")
            .build();
    static final ConfigKey<List<String>> TYPES = ConfigKey.listKey("jobstream.worker.types")
            .optional()
            .doc("Job types.")
            .build();
    static final ConfigKey<Boolean> ENABLED =
            ConfigKey.booleanKey("jobstream.worker.enabled").defaultValue(true).build();
    static final ConfigKey<Double> RATE =
            ConfigKey.doubleKey("jobstream.worker.rate").defaultValue(1.5).build();
    static final ConfigKey<Long> MAX_JOBS =
            ConfigKey.longKey("jobstream.worker.max-jobs").defaultValue(10L).build();
    static final ConfigKey<Mode> MODE = ConfigKey.enumKey("jobstream.worker.mode", Mode.class)
            .defaultValue(Mode.FAST)
            .build();
    static final ConfigKey<Password> TOKEN =
            ConfigKey.passwordKey("jobstream.worker.token").optional().build();
    static final ConfigKey<Map<String, String>> EXTRA =
            ConfigKey.mapKey("jobstream.worker.extra").build();

    static final ConfigDefinition WORKER = ConfigDefinition.of(
            CONCURRENCY, POLL_TIMEOUT, MAX_PAYLOAD, QUEUE, TYPES, ENABLED, RATE, MAX_JOBS, MODE, TOKEN, EXTRA);

    private static ConfigLoader loader(Map<String, String> env) {
        return ConfigLoader.forDefinition(WORKER).withEnvironment(env);
    }

    @Test
    void readsNestedYamlAndDottedKeysAlike() {
        // Given a file mixing nested maps and dotted keys
        String yaml = """
                jobstream:
                  worker:
                    concurrency: 16
                    poll-timeout: 250ms
                    types: [email, sms]
                jobstream.worker.queue: emails
                jobstream.worker.max-payload: 512KiB
                """;

        // When it is loaded
        Config config = loader(Map.of()).withYaml(yaml).load();

        // Then every form lands on its key, typed
        assertThat(config.get(CONCURRENCY)).isEqualTo(16);
        assertThat(config.get(POLL_TIMEOUT)).isEqualTo(Duration.ofMillis(250));
        assertThat(config.get(TYPES)).containsExactly("email", "sms");
        assertThat(config.get(QUEUE)).isEqualTo("emails");
        assertThat(config.get(MAX_PAYLOAD)).isEqualTo(512L * 1024);
        assertThat(config.get(ENABLED)).isTrue();
        assertThat(config.sourceOf(ENABLED)).isEqualTo("default");
    }

    @Test
    void aSecretIsReadFromTheFileItsFileEnvVarNamesAndOnlyASecret(@TempDir Path dir) throws IOException {
        // Given a secret mounted as a file (Docker/Kubernetes secrets), named by JOBSTREAM_WORKER_TOKEN_FILE
        Path secret = dir.resolve("token");
        Files.writeString(secret, "s3cr3t-from-a-file\n");

        // When it is loaded
        Config config = loader(
                        Map.of("JOBSTREAM_WORKER_QUEUE", "jobs", "JOBSTREAM_WORKER_TOKEN_FILE", secret.toString()))
                .load();

        // Then the secret is the file's content without its trailing newline, and its source names the file
        assertThat(config.get(TOKEN).value()).isEqualTo("s3cr3t-from-a-file");
        assertThat(config.sourceOf(TOKEN)).contains(secret.toString());
        // And a missing file is a clear problem naming the key, not the content
        Map<String, String> missing = Map.of(
                "JOBSTREAM_WORKER_QUEUE",
                "jobs",
                "JOBSTREAM_WORKER_TOKEN_FILE",
                dir.resolve("absent").toString());
        assertThatThrownBy(() -> loader(missing).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read jobstream.worker.token from the file");
        // And a non-secret key is not read from a file (JOBSTREAM_WORKER_QUEUE_FILE means nothing: still missing)
        Files.writeString(dir.resolve("queue"), "jobs");
        Map<String, String> queueFile =
                Map.of("JOBSTREAM_WORKER_QUEUE_FILE", dir.resolve("queue").toString());
        assertThatThrownBy(() -> loader(queueFile).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing required key jobstream.worker.queue");
    }

    @Test
    void readsAFileFromDisk(@TempDir Path dir) throws IOException {
        // Given a config file
        Path file = dir.resolve("jobstream.yaml");
        Files.writeString(file, "jobstream:\n  worker:\n    queue: jobs\n    mode: safe-mode\n");

        // When it is loaded
        Config config = loader(Map.of()).withFile(file).load();

        // Then its values are used and their source is the file
        assertThat(config.get(QUEUE)).isEqualTo("jobs");
        assertThat(config.get(MODE)).isEqualTo(Mode.SAFE_MODE);
        assertThat(config.sourceOf(QUEUE)).isEqualTo("file " + file);
    }

    @Test
    void substitutesEnvironmentVariablesAndDefaultsInFileValues() {
        // Given values referring to the environment, one with a default
        String yaml = """
                jobstream.worker:
                  queue: ${QUEUE_NAME}-high
                  concurrency: ${WORKERS:-4}
                  types: ["${FIRST_TYPE}", sms]
                  token: "$${not-substituted}"
                """;

        // When loaded with QUEUE_NAME and FIRST_TYPE set and WORKERS unset
        Config config = loader(Map.of("QUEUE_NAME", "emails", "FIRST_TYPE", "email"))
                .withYaml(yaml)
                .load();

        // Then references resolve, the default applies, and $${ stays literal
        assertThat(config.get(QUEUE)).isEqualTo("emails-high");
        assertThat(config.get(CONCURRENCY)).isEqualTo(4);
        assertThat(config.get(TYPES)).containsExactly("email", "sms");
        assertThat(config.get(TOKEN).value()).isEqualTo("${not-substituted}");
    }

    @Test
    void missingEnvironmentVariableWithoutDefaultNamesTheVariableAndTheKey() {
        // Given a value referring to an unset variable without a default
        String yaml = "jobstream.worker.queue: ${QUEUE_NAME}\n";

        // When loaded, Then the error names both the variable and the key
        assertThatThrownBy(() -> loader(Map.of()).withYaml(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("QUEUE_NAME")
                .hasMessageContaining("jobstream.worker.queue");
    }

    @Test
    void envVarOverridesTheFile() {
        // Given the file and the environment both set concurrency
        String yaml = "jobstream.worker:\n  queue: emails\n  concurrency: 16\n";

        // When loaded
        Config config = loader(Map.of("JOBSTREAM_WORKER_CONCURRENCY", "32"))
                .withYaml(yaml)
                .load();

        // Then the env var wins
        assertThat(config.get(CONCURRENCY)).isEqualTo(32);
        assertThat(config.sourceOf(CONCURRENCY)).isEqualTo("env JOBSTREAM_WORKER_CONCURRENCY");
    }

    @Test
    void overridesWinOverEnvAndFileAndEnvWinsOverDefault() {
        // Given a value in the file, the env and the overrides, and another only in the env
        String yaml = "jobstream.worker:\n  queue: from-file\n  concurrency: 16\n";
        Map<String, String> env = Map.of(
                "JOBSTREAM_WORKER_QUEUE", "from-env",
                "JOBSTREAM_WORKER_POLL_TIMEOUT", "2s");

        // When loaded with explicit overrides (typed and text)
        Config config = loader(env)
                .withYaml(yaml)
                .withOverrides(Map.of("jobstream.worker.queue", "from-flag", "jobstream.worker.concurrency", 3))
                .load();

        // Then overrides > env > file > default
        assertThat(config.get(QUEUE)).isEqualTo("from-flag");
        assertThat(config.sourceOf(QUEUE)).isEqualTo("override");
        assertThat(config.get(CONCURRENCY)).isEqualTo(3);
        assertThat(config.get(POLL_TIMEOUT)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.get(MAX_PAYLOAD)).isEqualTo(1L << 20);
    }

    @Test
    void unknownKeyFailsNamingItAndSuggestingTheClosestKnownKey() {
        // Given a typo in a key
        String yaml = "jobstream:\n  worker:\n    queue: emails\n    concurency: 8\n";

        // When loaded, Then the error names the unknown key and suggests the right one
        assertThatThrownBy(() -> loader(Map.of()).withYaml(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key jobstream.worker.concurency")
                .hasMessageContaining("did you mean jobstream.worker.concurrency?");
    }

    @Test
    void unknownOverrideKeyFailsToo() {
        assertThatThrownBy(() -> loader(Map.of("JOBSTREAM_WORKER_QUEUE", "q"))
                        .withOverrides(Map.of("jobstream.worker.queues", "x"))
                        .load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key jobstream.worker.queues in the overrides")
                .hasMessageContaining("did you mean jobstream.worker.queue?");
    }

    @Test
    void aRenamedKeyFailsNamingItsNewNameInAFileAndInTheEnvironment() {
        // Given the pre-rename delay-tiers keys: one in a file, one as an env var (which would otherwise only warn,
        // and leave the role on the default tiers without a word)
        String yaml = "jobstream:\n  worker:\n    queue: emails\n    delay-tiers: [1s, 1m]\n";
        Map<String, String> env = Map.of("JOBSTREAM_DLQ_DELAY_TIERS", "5s,1h");

        // When loaded, Then start-up fails naming both and the one key that replaced them
        assertThatThrownBy(() -> loader(env).withYaml(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.delay-tiers was renamed to jobstream.topics.delay-tiers"
                        + " (env JOBSTREAM_TOPICS_DELAY_TIERS)")
                .hasMessageContaining("env JOBSTREAM_DLQ_DELAY_TIERS: jobstream.dlq.delay-tiers was renamed to")
                .hasMessageNotContaining("unknown key jobstream.worker.delay-tiers");
    }

    @Test
    void keysOutsideJobstreamAreIgnored() {
        // Given a YAML anchor block outside the jobstream tree
        String yaml = "x-common: &common\n  a: 1\njobstream.worker.queue: emails\n";

        // When loaded, Then it loads
        assertThat(loader(Map.of()).withYaml(yaml).load().get(QUEUE)).isEqualTo("emails");
    }

    @Test
    void missingRequiredKeyNamesTheKeyAndItsEnvVar() {
        // Given nothing sets the required queue
        // When loaded, Then the error names the key and its env var
        assertThatThrownBy(() -> loader(Map.of()).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing required key jobstream.worker.queue")
                .hasMessageContaining("JOBSTREAM_WORKER_QUEUE");
    }

    @Test
    void badDurationNamesKeyValueAndExpectedType() {
        // Given an unparseable duration
        Map<String, String> env = Map.of("JOBSTREAM_WORKER_QUEUE", "q", "JOBSTREAM_WORKER_POLL_TIMEOUT", "5 minutes");

        // When loaded, Then the error names key, value and what a duration looks like
        assertThatThrownBy(() -> loader(env).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.poll-timeout")
                .hasMessageContaining("'5 minutes'")
                .hasMessageContaining("expected a duration");
    }

    @Test
    void badSizeNamesKeyValueAndExpectedType() {
        String yaml = "jobstream.worker:\n  queue: q\n  max-payload: 1MB\n";

        assertThatThrownBy(() -> loader(Map.of()).withYaml(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.max-payload")
                .hasMessageContaining("'1MB'")
                .hasMessageContaining("expected a size");
    }

    @Test
    void listWhereAScalarBelongsIsRejected() {
        String yaml = "jobstream.worker:\n  queue: [a, b]\n";

        assertThatThrownBy(() -> loader(Map.of()).withYaml(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.queue")
                .hasMessageContaining("expected a string");
    }

    @Test
    void valueOutsideTheValidatorsRangeIsRejected() {
        String yaml = "jobstream.worker:\n  queue: q\n  concurrency: 0\n";

        assertThatThrownBy(() -> loader(Map.of()).withYaml(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.concurrency")
                .hasMessageContaining("must be from 1 to 1024");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        // Given a typo, a bad value and a missing required key
        String yaml = "jobstream.worker:\n  concurency: 8\n  enabled: maybe\n";

        // When loaded
        ConfigException e = assertThrows(
                ConfigException.class, () -> loader(Map.of()).withYaml(yaml).load());

        // Then all three are listed
        assertThat(e.problems()).hasSize(3);
        assertThat(e.getMessage())
                .contains("jobstream.worker.concurency", "jobstream.worker.enabled", "jobstream.worker.queue");
    }

    @Test
    void passwordsAreMaskedInToStringAndErrors() {
        // Given a secret set by env var
        Config config = loader(Map.of("JOBSTREAM_WORKER_QUEUE", "q", "JOBSTREAM_WORKER_TOKEN", "s3cr3t"))
                .load();

        // Then the value is readable but never printed
        assertThat(config.get(TOKEN).value()).isEqualTo("s3cr3t");
        assertThat(config.get(TOKEN)).hasToString("[hidden]");
        assertThat(config.toString())
                .contains("jobstream.worker.token=[hidden]")
                .doesNotContain("s3cr3t");
    }

    @Test
    void mapKeyCollectsEntriesFromFileEnvAndOverrides() {
        // Given map entries from every source, one set in two places
        String yaml = """
                jobstream.worker:
                  queue: q
                  extra:
                    linger.ms: 5
                    max.poll.records: 100
                """;
        Map<String, String> env = Map.of("JOBSTREAM_WORKER_EXTRA_MAX_POLL_RECORDS", "500");

        // When loaded
        Config config = loader(env)
                .withYaml(yaml)
                .withOverrides(Map.of("jobstream.worker.extra.compression.type", "zstd"))
                .load();

        // Then entries merge with the usual precedence
        assertThat(config.get(EXTRA))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("linger.ms", "5", "max.poll.records", "500", "compression.type", "zstd"));
    }

    @Test
    void secretLookingMapEntriesAreMaskedInToString() {
        Config config = loader(Map.of(
                        "JOBSTREAM_WORKER_QUEUE", "q",
                        "JOBSTREAM_WORKER_EXTRA_SSL_KEY_PASSWORD", "hunter2",
                        "JOBSTREAM_WORKER_EXTRA_LINGER_MS", "5"))
                .load();

        assertThat(config.get(EXTRA)).containsEntry("ssl.key.password", "hunter2");
        assertThat(config.toString()).contains("linger.ms=5").doesNotContain("hunter2");
    }

    @Test
    void optionalKeyWithoutValueIsEmptyAndGetNamesItsEnvVar() {
        Config config = loader(Map.of("JOBSTREAM_WORKER_QUEUE", "q")).load();

        assertThat(config.find(TYPES)).isEmpty();
        assertThatThrownBy(() -> config.get(TYPES))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("JOBSTREAM_WORKER_TYPES");
    }

    @Test
    void readingAKeyOutsideTheDefinitionIsAProgrammingError() {
        Config config = loader(Map.of("JOBSTREAM_WORKER_QUEUE", "q")).load();

        assertThatThrownBy(() -> config.get(RuntimeConfig.SHUTDOWN_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobstream.runtime.shutdown-timeout");
    }

    @Test
    void keyGivenNestedAndDottedIsRejected() {
        String yaml = "jobstream:\n  worker:\n    queue: a\njobstream.worker.queue: b\n";

        assertThatThrownBy(() -> loader(Map.of()).withYaml(yaml).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.queue is set twice");
    }

    @Test
    void invalidYamlIsReportedWithItsSource() {
        assertThatThrownBy(() ->
                        loader(Map.of()).withYaml("jobstream: [unclosed\n").load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void unreadableFileNamesThePath(@TempDir Path dir) {
        Path missing = dir.resolve("absent.yaml");

        assertThatThrownBy(() -> loader(Map.of()).withFile(missing).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void runtimeDefaultsLoadIntoRuntimeConfig() {
        // Given only the runtime's own keys and one env override
        Config config = ConfigLoader.forDefinition(RuntimeConfig.DEFINITION)
                .withEnvironment(Map.of("JOBSTREAM_RUNTIME_SHUTDOWN_TIMEOUT", "45s"))
                .load();

        // When read as a record
        RuntimeConfig runtime = RuntimeConfig.from(config);

        // Then defaults and the override are there
        assertThat(runtime.shutdownTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(runtime.adminPort()).isEqualTo(9400);
        assertThat(runtime)
                .isEqualTo(new RuntimeConfig("0.0.0.0", 9400, Duration.ofSeconds(2), Duration.ofSeconds(45)));
    }

    @Test
    void runtimeConfigRejectsBadValuesNamingTheKey() {
        assertThatThrownBy(() -> new RuntimeConfig("0.0.0.0", 70000, Duration.ofSeconds(2), Duration.ofSeconds(30)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.admin.port");
        assertThatThrownBy(() -> RuntimeConfig.builder().adminHost(null).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing required key jobstream.runtime.admin.host");
    }

    @Test
    void runtimeConfigIsCopiedThroughItsBuilder() {
        // Given the defaults, built by the builder whose fields start at the keys' defaults
        RuntimeConfig defaults = RuntimeConfig.defaults();

        // When one setting is changed on a copy
        RuntimeConfig copy = defaults.toBuilder().adminPort(0).build();

        // Then only that setting differs, and an unchanged copy equals the original
        assertThat(defaults.adminPort())
                .isEqualTo(RuntimeConfig.ADMIN_PORT.defaultValue().orElseThrow());
        assertThat(copy).isEqualTo(new RuntimeConfig("0.0.0.0", 0, Duration.ofSeconds(2), Duration.ofSeconds(30)));
        assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
        assertThatThrownBy(
                        () -> defaults.toBuilder().checkTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid value '0s' for jobstream.runtime.admin.check-timeout");
    }

    @Test
    void aKeyChecksAValueByItsValidatorNamingTheKey() {
        ConfigKey<Integer> port = ConfigKey.intKey("jobstream.worker.port")
                .defaultValue(80)
                .validator(ConfigValidator.range(1, 65535))
                .build();

        assertThat(port.check(8080)).isEqualTo(8080);
        assertThatThrownBy(() -> port.check(0))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid value '0' for jobstream.worker.port: must be from 1 to 65535");
        assertThatThrownBy(() -> port.check(null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing required key jobstream.worker.port")
                .hasMessageContaining("JOBSTREAM_WORKER_PORT");
        assertThatThrownBy(() -> port.checkAs("jobstream.worker.ports.admin", 70000))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("for jobstream.worker.ports.admin: must be from 1 to 65535");
    }
}

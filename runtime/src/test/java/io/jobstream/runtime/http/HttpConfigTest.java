package io.jobstream.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.RuntimeConfig;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One token definition for every role: scopes per token, for queue names and prefix globs, from a file or env vars. */
class HttpConfigTest {
    @Test
    void aTokenSecretCanComeFromAMountedFileAndNeverBothWays(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // Given a token whose secret is a mounted file (a Kubernetes or Docker secret)
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("ops"), "ops-secret-from-a-file-42\n");
        HttpConfig config = HttpConfig.from(ConfigLoader.forDefinition(RuntimeConfig.DEFINITION)
                .withEnvironment(Map.of(
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_TOKEN_FILE",
                        file.toString(),
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_QUEUES",
                        "*"))
                .load());

        // Then the secret is the file's content, its trailing newline stripped
        assertThat(config.tokens())
                .singleElement()
                .satisfies(t -> assertThat(t.secret().value()).isEqualTo("ops-secret-from-a-file-42"));
        // And a missing file, or both .token and .token-file, fail naming the key
        assertThatThrownBy(() -> HttpConfig.from(ConfigLoader.forDefinition(RuntimeConfig.DEFINITION)
                        .withEnvironment(Map.of(
                                "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_TOKEN_FILE",
                                dir.resolve("absent").toString(),
                                "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_QUEUES",
                                "*"))
                        .load()))
                .hasMessageContaining("jobstream.runtime.http.tokens.ops.token-file");
        assertThatThrownBy(() -> HttpConfig.from(ConfigLoader.forDefinition(RuntimeConfig.DEFINITION)
                        .withEnvironment(Map.of(
                                "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_TOKEN_FILE", file.toString(),
                                "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_TOKEN", "ops-secret-0123456789",
                                "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_QUEUES", "*"))
                        .load()))
                .hasMessageContaining("both set");
    }

    @Test
    void tokensComeFromEnvVarsWithScopesAndQueueGlobs() {
        HttpConfig config = HttpConfig.from(ConfigLoader.forDefinition(RuntimeConfig.DEFINITION)
                .withEnvironment(Map.of(
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_TOKEN", "ops-secret-0123456789",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_SCOPES", "dlq:read, dlq:replay",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_OPS_QUEUES", "billing-*,emails",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_CI_TOKEN", "ci-secret-0123456789",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_CI_QUEUES", "*"))
                .load());

        AccessToken ops = config.tokens().stream()
                .filter(t -> t.name().equals("ops"))
                .findFirst()
                .orElseThrow();
        AccessToken ci = config.tokens().stream()
                .filter(t -> t.name().equals("ci"))
                .findFirst()
                .orElseThrow();
        assertThat(ops.scopes()).containsExactlyInAnyOrder(Scope.DLQ_READ, Scope.DLQ_REPLAY);
        assertThat(ops.allows(Scope.DLQ_REPLAY, "billing-eu")).isTrue();
        assertThat(ops.allows(Scope.DLQ_REPLAY, "emails")).isTrue();
        assertThat(ops.allows(Scope.DLQ_REPLAY, "billing")).isFalse();
        assertThat(ops.allows(Scope.DLQ_REPLAY, "emails-eu")).isFalse();
        assertThat(ops.allows(Scope.PUBLISH, "emails")).isFalse();
        assertThat(ci.scopes()).isEqualTo(HttpConfig.DEFAULT_SCOPES);
        assertThat(ci.allows(Scope.PUBLISH, "anything")).isTrue();
        assertThat(ci.allows(Scope.DLQ_REPLAY, "anything")).isFalse();
        assertThat(config.authRequired()).isTrue();
    }

    @Test
    void anUnknownScopeOrAShortSecretFailsNamingTheKey() {
        assertThatThrownBy(() -> HttpConfig.from(ConfigLoader.forDefinition(RuntimeConfig.DEFINITION)
                        .withOverrides(Map.of(
                                "jobstream.runtime.http.tokens.ops.token", "ops-secret-0123456789",
                                "jobstream.runtime.http.tokens.ops.scopes", "dlq:write",
                                "jobstream.runtime.http.tokens.ops.queues", "*"))
                        .load()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.tokens.ops.scopes")
                .hasMessageContaining("dlq:write");
        assertThatThrownBy(() -> AccessToken.of("ops", "short", Set.of(Scope.ADMIN), Set.of("*")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.tokens.ops.token");
        assertThatThrownBy(() -> AccessToken.of("ops", "ops-secret-0123456789", Set.of(Scope.ADMIN), Set.of("a*b")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("prefix glob");
    }

    @Test
    void isCopiedThroughItsBuilderAndValidatedByTheKeys() {
        // Given the defaults: no token, auth on
        HttpConfig defaults = HttpConfig.defaults();

        // When a copy changes the limits
        HttpConfig copy = defaults.toBuilder()
                .authFailures(3, java.time.Duration.ofMinutes(10))
                .maxBodySize(1024)
                .build();

        // Then the rest is kept, the defaults are the keys', and a bad value fails naming its key
        assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
        assertThat(copy.authRequired()).isTrue();
        assertThat(copy.authFailureLimit()).isEqualTo(3);
        assertThat(copy.maxHeaderSize())
                .isEqualTo(HttpConfig.MAX_HEADER_SIZE.defaultValue().orElseThrow());
        assertThatThrownBy(() -> defaults.toBuilder().maxHeaderSize(10).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.max-header-size");
    }
}

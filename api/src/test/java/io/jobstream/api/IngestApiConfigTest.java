package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.api.IngestApiConfig.SignatureEncoding;
import io.jobstream.api.IngestApiConfig.SignatureScheme;
import io.jobstream.api.IngestApiConfig.Webhook;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDocs;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.runtime.http.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IngestApiConfigTest {

    @Test
    void readsTokensAndWebhooksFromYamlAndEnv() {
        // Given a config file with a token and two webhooks, and a second token from env vars
        String yaml = """
                jobstream:
                  kafka.bootstrap-servers: localhost:9092
                  runtime.http:
                    tokens:
                      ci:
                        token: ci-token-0123456789
                        queues: [emails, reports]
                  api:
                    max-batch-size: 500
                    webhooks:
                      github:
                        queue: emails
                        type: github_event
                        scheme: github
                        secret: gh-secret
                      shop:
                        queue: orders
                        type: shop_order
                        scheme: hmac-sha256
                        secret: shop-secret
                        header: X-Shop-Signature
                        encoding: base64
                """;
        Config config = ConfigLoader.forDefinition(IngestApi.DEFINITION)
                .withYaml(yaml)
                .withEnvironment(Map.of(
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_ADMIN_TOKEN", "admin-token-0123456789",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_ADMIN_SCOPES", "admin",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_ADMIN_QUEUES", "*"))
                .load();

        // When the API settings and the runtime's tokens (one definition for every role) are read
        IngestApiConfig api = IngestApiConfig.from(config);
        HttpConfig http = HttpConfig.from(config);

        // Then every token and webhook is there with its fields
        assertThat(api.maxBatchSize()).isEqualTo(500);
        assertThat(http.tokens()).hasSize(2);
        var ci = http.tokens().stream()
                .filter(t -> t.name().equals("ci"))
                .findFirst()
                .orElseThrow();
        assertThat(ci.queues()).isEqualTo(Set.of("emails", "reports"));
        assertThat(ci.allows(Scope.PUBLISH, "emails")).isTrue();
        assertThat(ci.allows(Scope.STATUS_READ, "emails")).isTrue();
        assertThat(ci.allows(Scope.DLQ_REPLAY, "emails")).isFalse();
        assertThat(ci.allows(Scope.PUBLISH, "payments")).isFalse();
        var admin = http.tokens().stream()
                .filter(t -> t.name().equals("admin"))
                .findFirst()
                .orElseThrow();
        assertThat(admin.allows(Scope.DLQ_REPLAY, "payments")).isTrue();
        assertThat(api.webhooks())
                .extracting(Webhook::name, Webhook::scheme, Webhook::header, Webhook::encoding)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                "github", SignatureScheme.GITHUB, "X-Hub-Signature-256", SignatureEncoding.HEX),
                        org.assertj.core.groups.Tuple.tuple(
                                "shop", SignatureScheme.HMAC_SHA256, "X-Shop-Signature", SignatureEncoding.BASE64));
        assertThat(api.webhooks().getFirst().tolerance()).isEqualTo(Duration.ofMinutes(5));
        // And secrets do not show
        assertThat(api.toString()).doesNotContain("gh-secret");
        assertThat(http.toString()).doesNotContain("ci-token-0123456789");
    }

    @Test
    void theOldApiTokenKeysAreRefusedNamingTheNewOnes() {
        assertThatThrownBy(() -> load(Map.of(
                        "jobstream.api.tokens.ci.token", "ci-token-0123456789",
                        "jobstream.api.tokens.ci.queues", "emails")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.tokens");
        assertThatThrownBy(() -> load(Map.of("jobstream.api.auth-required", false)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.auth-required");
    }

    @Test
    void namesTheKeyOfABadTokenOrWebhookSetting() {
        assertThatThrownBy(() -> loadHttp(Map.of(
                        "jobstream.runtime.http.tokens.ci.token", "short",
                        "jobstream.runtime.http.tokens.ci.queues", "emails")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.tokens.ci.token");
        assertThatThrownBy(() -> loadHttp(Map.of(
                        "jobstream.runtime.http.tokens.ci.token", "ci-token-0123456789",
                        "jobstream.runtime.http.tokens.ci.queue", "emails")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.tokens.ci.queue");
        assertThatThrownBy(() -> load(Map.of(
                        "jobstream.api.webhooks.x.queue", "emails",
                        "jobstream.api.webhooks.x.type", "t",
                        "jobstream.api.webhooks.x.secret", "s",
                        "jobstream.api.webhooks.x.scheme", "hmac-sha256")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.webhooks.x.header");
        assertThatThrownBy(() -> load(Map.of(
                        "jobstream.api.webhooks.x.queue", "emails",
                        "jobstream.api.webhooks.x.type", "t",
                        "jobstream.api.webhooks.x.secret", "s",
                        "jobstream.api.webhooks.x.scheme", "gitlab")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.webhooks.x.scheme");
    }

    @Test
    void readmeCarriesTheGeneratedTable() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));

        // Then its config table is the one generated from the keys
        String table = ConfigDocs.markdownTable(IngestApiConfig.DEFINITION);
        assertThat(readme).contains(ConfigDocs.START + "\n" + table + ConfigDocs.END);
    }

    @Test
    void allowsAnonymousAccessOnlyWhenAuthIsTurnedOff() {
        HttpConfig http = loadHttp(Map.of("jobstream.runtime.http.auth-required", false));

        assertThat(http.authRequired()).isFalse();
        assertThat(http.tokens()).isEmpty();
        assertThat(loadHttp(Map.of()).authRequired()).isTrue();
    }

    private static HttpConfig loadHttp(Map<String, ?> overrides) {
        Map<String, Object> values = new java.util.HashMap<>(overrides);
        values.put("jobstream.kafka.bootstrap-servers", "localhost:9092");
        return HttpConfig.from(ConfigLoader.forDefinition(IngestApi.DEFINITION)
                .withEnvironment(Map.of())
                .withOverrides(values)
                .load());
    }

    private static IngestApiConfig load(Map<String, ?> overrides) {
        Map<String, Object> values = new java.util.HashMap<>(overrides);
        values.put("jobstream.kafka.bootstrap-servers", "localhost:9092");
        return IngestApiConfig.from(ConfigLoader.forDefinition(IngestApi.DEFINITION)
                .withEnvironment(Map.of())
                .withOverrides(values)
                .load());
    }
}

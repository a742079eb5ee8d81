package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.producer.IngestApiConfig.SignatureEncoding;
import io.jobstream.producer.IngestApiConfig.SignatureScheme;
import io.jobstream.producer.IngestApiConfig.Webhook;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import java.time.Duration;
import java.util.List;
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
                  api:
                    max-batch-size: 500
                    tokens:
                      ci:
                        token: ci-token-0123456789
                        queues: [emails, reports]
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
                        "JOBSTREAM_API_TOKENS_ADMIN_TOKEN", "admin-token-0123456789",
                        "JOBSTREAM_API_TOKENS_ADMIN_QUEUES", "*"))
                .load();

        // When the API settings are read
        IngestApiConfig api = IngestApiConfig.from(config);

        // Then every token and webhook is there with its fields
        assertThat(api.maxBatchSize()).isEqualTo(500);
        assertThat(api.tokens()).hasSize(2);
        var ci = api.tokens().stream()
                .filter(t -> t.name().equals("ci"))
                .findFirst()
                .orElseThrow();
        assertThat(ci.queues()).isEqualTo(Set.of("emails", "reports"));
        assertThat(ci.allows("emails")).isTrue();
        assertThat(ci.allows("payments")).isFalse();
        var admin = api.tokens().stream()
                .filter(t -> t.name().equals("admin"))
                .findFirst()
                .orElseThrow();
        assertThat(admin.allows("payments")).isTrue();
        assertThat(api.webhooks())
                .extracting(Webhook::name, Webhook::scheme, Webhook::header, Webhook::encoding)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                "github", SignatureScheme.GITHUB, "X-Hub-Signature-256", SignatureEncoding.HEX),
                        org.assertj.core.groups.Tuple.tuple(
                                "shop", SignatureScheme.HMAC_SHA256, "X-Shop-Signature", SignatureEncoding.BASE64));
        assertThat(api.webhooks().getFirst().tolerance()).isEqualTo(Duration.ofMinutes(5));
        // And secrets do not show
        assertThat(api.toString()).doesNotContain("ci-token-0123456789").doesNotContain("gh-secret");
    }

    @Test
    void refusesToStartWithoutTokensWhileAuthIsRequired() {
        assertThatThrownBy(() -> IngestApiConfig.defaults(List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.tokens")
                .hasMessageContaining("jobstream.api.auth-required");
    }

    @Test
    void namesTheKeyOfABadTokenOrWebhookSetting() {
        assertThatThrownBy(() -> load(
                        Map.of("jobstream.api.tokens.ci.token", "short", "jobstream.api.tokens.ci.queues", "emails")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.tokens.ci.token");
        assertThatThrownBy(() -> load(Map.of(
                        "jobstream.api.tokens.ci.token", "ci-token-0123456789",
                        "jobstream.api.tokens.ci.queue", "emails")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.tokens.ci.queue");
        assertThatThrownBy(() -> load(Map.of(
                        "jobstream.api.auth-required", false,
                        "jobstream.api.webhooks.x.queue", "emails",
                        "jobstream.api.webhooks.x.type", "t",
                        "jobstream.api.webhooks.x.secret", "s",
                        "jobstream.api.webhooks.x.scheme", "hmac-sha256")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.webhooks.x.header");
        assertThatThrownBy(() -> load(Map.of(
                        "jobstream.api.auth-required", false,
                        "jobstream.api.webhooks.x.queue", "emails",
                        "jobstream.api.webhooks.x.type", "t",
                        "jobstream.api.webhooks.x.secret", "s",
                        "jobstream.api.webhooks.x.scheme", "gitlab")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.api.webhooks.x.scheme");
    }

    @Test
    void allowsAnonymousAccessOnlyWhenAuthIsTurnedOff() {
        IngestApiConfig api = load(Map.of("jobstream.api.auth-required", false));

        assertThat(api.authRequired()).isFalse();
        assertThat(api.tokens()).isEmpty();
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

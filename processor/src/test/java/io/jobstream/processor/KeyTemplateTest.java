package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.processor.KeyTemplate.Resolution;
import io.jobstream.schemas.Job;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class KeyTemplateTest {

    private static Job job(String json, String orderingKey, Map<String, String> headers) {
        return Job.newBuilder()
                .setId("01JOB")
                .setType("charge")
                .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setOrderingKey(orderingKey)
                .setHeaders(headers)
                .setCreatedAt(Instant.EPOCH)
                .build();
    }

    private static String resolved(KeyTemplate template, Job job) {
        return assertThat(template.resolve(job))
                .asInstanceOf(InstanceOfAssertFactories.type(Resolution.Resolved.class))
                .actual()
                .key();
    }

    private static String unresolved(KeyTemplate template, Job job) {
        return assertThat(template.resolve(job))
                .asInstanceOf(InstanceOfAssertFactories.type(Resolution.Unresolved.class))
                .actual()
                .reason();
    }

    @Test
    void resolvesPayloadPathsKeyIdTypeAndHeadersAroundLiteralText() {
        // Given a job with a nested JSON payload, an ordering key and a header
        Job job = job(
                "{\"account\":{\"id\":42,\"region\":\"eu\"},\"items\":[{\"sku\":\"a-1\"}],\"vip\":true}",
                "order-7",
                Map.of("tenant", "acme"));

        // When templates are resolved, then each placeholder gives its value
        assertThat(resolved(KeyTemplate.parse("acct-${payload.account.id}"), job))
                .isEqualTo("acct-42");
        assertThat(resolved(KeyTemplate.parse("${payload.account.region}/${payload.items.0.sku}"), job))
                .isEqualTo("eu/a-1");
        assertThat(resolved(KeyTemplate.parse("${payload.vip}"), job)).isEqualTo("true");
        assertThat(resolved(KeyTemplate.parse("${key}:${id}:${type}"), job)).isEqualTo("order-7:01JOB:charge");
        assertThat(resolved(KeyTemplate.parse("t-${header.tenant}"), job)).isEqualTo("t-acme");
        assertThat(resolved(KeyTemplate.parse("fixed"), job)).isEqualTo("fixed");
    }

    @Test
    void keyIsTheJobIdWhenThereIsNoOrderingKey() {
        assertThat(resolved(KeyTemplate.parse("${key}"), job("{}", null, Map.of())))
                .isEqualTo("01JOB");
    }

    @Test
    void explainsWhyATemplateCannotBeResolved() {
        Job job = job("{\"account\":{\"id\":null},\"list\":[1]}", null, Map.of());

        assertThat(unresolved(KeyTemplate.parse("${payload.accountId}"), job)).contains("${payload.accountId}");
        assertThat(unresolved(KeyTemplate.parse("${payload.account.id}"), job)).contains("no value");
        assertThat(unresolved(KeyTemplate.parse("${payload.account}"), job))
                .contains("not a string, number or boolean");
        assertThat(unresolved(KeyTemplate.parse("${header.tenant}"), job)).contains("no header 'tenant'");
        assertThat(unresolved(KeyTemplate.parse("${payload.x}"), job("not json", null, Map.of())))
                .contains("not JSON");
        assertThat(unresolved(KeyTemplate.parse("${payload.x}"), job("{\"x\":\"a{b}\"}", null, Map.of())))
                .contains("'{'");
        assertThat(unresolved(KeyTemplate.parse("${payload.x}"), job("{\"x\":\"\"}", null, Map.of())))
                .contains("empty");
    }

    @Test
    void aKeyFunctionThatFailsOrReturnsNullLeavesTheJobUnresolved() {
        Job job = job("{}", null, Map.of());

        assertThat(resolved(KeyTemplate.of(j -> "id-" + j.getId()), job)).isEqualTo("id-01JOB");
        assertThat(unresolved(KeyTemplate.of(j -> null), job)).contains("null");
        assertThat(unresolved(
                        KeyTemplate.of(j -> {
                            throw new IllegalStateException("boom");
                        }),
                        job))
                .contains("boom");
    }

    @Test
    void rejectsMalformedTemplatesAtParse() {
        assertThatThrownBy(() -> KeyTemplate.parse("${account}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown placeholder ${account}");
        assertThatThrownBy(() -> KeyTemplate.parse("acct-${payload.id")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> KeyTemplate.parse("${payload.a..b}")).hasMessageContaining("empty field name");
        assertThatThrownBy(() -> KeyTemplate.parse("{acct}-${id}")).hasMessageContaining("'{' or '}'");
        assertThatThrownBy(() -> KeyTemplate.parse(" ")).hasMessageContaining("blank");
    }

    @Test
    void expandedValuesAreEscapedSoTheyCannotPoseAsTheTemplatesStructure() {
        // Given a template with a separator of its own, and two payloads that would resolve alike unescaped
        KeyTemplate template = KeyTemplate.parse("${payload.a}/${payload.b}");
        Job slashInA = job("{\"a\":\"x/y\",\"b\":\"z\"}", null, Map.of());
        Job slashInB = job("{\"a\":\"x\",\"b\":\"y/z\"}", null, Map.of());

        // Then each resolves to its own name, the literal '/' kept and the expanded ones escaped
        assertThat(resolved(template, slashInA)).isEqualTo("x%2Fy/z");
        assertThat(resolved(template, slashInB)).isEqualTo("x/y%2Fz");
        assertThat(resolved(
                        KeyTemplate.parse("acct-${payload.a}"), job("{\"a\":\"../other/acct-1%\"}", null, Map.of())))
                .isEqualTo("acct-..%2Fother%2Facct-1%25");
    }
}

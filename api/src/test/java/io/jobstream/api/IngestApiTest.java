package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.api.IngestApiConfig.SignatureEncoding;
import io.jobstream.api.IngestApiConfig.Webhook;
import io.jobstream.producer.FakeTopicDirectory;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.PublisherMeters;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.runtime.http.Scope;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Ulid;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API over real HTTP, publishing into Kafka's {@code MockProducer} (acknowledged at once). */
class IngestApiTest {
    private static final String TOKEN = "ci-token-0123456789";
    private static final String REPORTS_TOKEN = "reports-token-0123456789";
    private static final HttpConfig HTTP = HttpConfig.defaults(List.of(
            AccessToken.of("ci", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of("emails")),
            AccessToken.of("reports", REPORTS_TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of("*"))));
    private static final String GITHUB_SECRET = "It's a Secret to Everybody";
    private static final String STRIPE_SECRET = "whsec_0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeTopicDirectory topics =
            new FakeTopicDirectory().with("emails", 3).with("emails.failed", 3);
    private final MockProducer<String, byte[]> producer = mockProducer();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();
    private AdminServer server;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
        http.close();
        if (server != null) {
            // every Jobstream meter of the API process (its own and its publisher's) is catalogued, with its tags
            List<MeterCatalogue> catalogue = new ArrayList<>(List.of(ApiMeters.values()));
            catalogue.addAll(List.of(PublisherMeters.values()));
            assertThat(MeterDocs.uncatalogued(server.registry(), catalogue)).isEmpty();
        }
    }

    @Test
    void publishesAJobAndAnswersWithItsReceiptOnceAcknowledged() throws Exception {
        // Given the API
        URI base = start(config());

        // When a job is posted
        HttpResponse<String> response = post(
                base + "/v1/queues/emails/jobs",
                TOKEN,
                "{\"type\":\"send_email\",\"payload\":{\"to\":\"a@example.com\"},\"orderingKey\":\"c-42\","
                        + "\"maxAttempts\":3,\"headers\":{\"tenant\":\"acme\"}}");

        // Then it is accepted with the receipt of the one record sent
        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode receipt = JSON.readTree(response.body());
        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, byte[]> record = producer.history().getFirst();
        Job job = decode(record);
        assertThat(receipt.get("id").asText()).isEqualTo(job.getId());
        assertThat(receipt.get("queue").asText()).isEqualTo("emails");
        assertThat(receipt.get("topic").asText()).isEqualTo("emails");
        assertThat(receipt.has("partition")).isTrue();
        assertThat(receipt.has("offset")).isTrue();
        assertThat(record.key()).isEqualTo("c-42");
        assertThat(job.getType()).isEqualTo("send_email");
        assertThat(JSON.readTree(bytes(job.getPayload())).get("to").asText()).isEqualTo("a@example.com");
        assertThat(job.getMaxAttempts()).contains(3);
        assertThat(job.getHeaders()).containsEntry("tenant", "acme");
        // And the request is in the latency histogram /metrics serves (buckets for histogram_quantile)
        assertThat(server.registry().scrape().lines()).anySatisfy(line -> assertThat(line)
                .startsWith("jobstream_api_requests_seconds_bucket{")
                .contains("le=\"0.25\"", "route=\"/v1/queues/{queue}/jobs\"", "status=\"202\""));
    }

    @Test
    void aRepeatedIdempotencyKeyGivesTheSameReceiptAndOneRecord() throws Exception {
        // Given the API
        URI base = start(config());
        String body = "{\"type\":\"send_email\"}";

        // When the same request is sent twice with one Idempotency-Key
        HttpResponse<String> first = send(request(base + "/v1/queues/emails/jobs", TOKEN, body)
                .header("Idempotency-Key", "order-1")
                .build());
        HttpResponse<String> second = send(request(base + "/v1/queues/emails/jobs", TOKEN, body)
                .header("Idempotency-Key", "order-1")
                .build());

        // Then both are accepted with the key's deterministic id, and only one record was sent
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(first.body()).get("id").asText())
                .isEqualTo(Ulid.fromName("emails/ci/order-1")); // per token and queue
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void refusesMissingOrUnknownTokenAndAQueueTheTokenMayNotUse() throws Exception {
        // Given the API with a token for emails only
        URI base = start(config());
        String body = "{\"type\":\"t\"}";

        // When requests come without a token, with an unknown one, and for another queue
        HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create(base + "/v1/queues/emails/jobs"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        HttpResponse<String> unknown = post(base + "/v1/queues/emails/jobs", "not-a-token-0123456789", body);
        HttpResponse<String> otherQueue = post(base + "/v1/queues/reports/jobs", TOKEN, body);

        // Then they are refused 401, 401 and 403 with JSON errors, and nothing is sent
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(error(missing)).isEqualTo("UNAUTHORIZED");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(otherQueue.statusCode()).isEqualTo(403);
        assertThat(error(otherQueue)).isEqualTo("FORBIDDEN");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void refusesAnOversizedBodyByContentLengthAndByTheBytesRead() throws Exception {
        // Given a 1 KiB body limit
        URI base = start(config().toBuilder()
                .maxRequestSize(1024)
                .maxBatchRequestSize(4096)
                .build());
        String big = "{\"type\":\"t\",\"payload\":\"" + "x".repeat(2000) + "\"}";

        // When a larger body is sent with a Content-Length, and chunked without one
        HttpResponse<String> declared = post(base + "/v1/queues/emails/jobs", TOKEN, big);
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(URI.create(base + "/v1/queues/emails/jobs"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build());

        // Then both are refused 413 and nothing is sent
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(error(declared)).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void explainsMalformedRequestsWith400() throws Exception {
        URI base = start(config());
        String url = base + "/v1/queues/emails/jobs";

        assertThat(error(post(url, TOKEN, "{\"type\":"))).isEqualTo("MALFORMED_JSON");
        assertThat(error(post(url, TOKEN, "{\"payload\":{}}"))).isEqualTo("MISSING_TYPE");
        assertThat(error(post(url, TOKEN, "{\"type\":\"t\",\"delay\":\"soon\"}")))
                .isEqualTo("BAD_DURATION");
        assertThat(error(post(url, TOKEN, "{\"type\":\"t\",\"notBefore\":\"tomorrow\"}")))
                .isEqualTo("BAD_TIMESTAMP");
        assertThat(error(post(url, TOKEN, "{\"type\":\"t\",\"delays\":\"5s\"}")))
                .isEqualTo("INVALID_JOB");
        assertThat(error(post(url, TOKEN, "{\"type\":\"t\",\"delay\":\"5s\",\"notBefore\":\"2030-01-01T00:00:00Z\"}")))
                .isEqualTo("INVALID_JOB");
        assertThat(post(url, TOKEN, "[]").statusCode()).isEqualTo(400);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void answersUnknownQueue404AndBrokerUnavailable503() throws Exception {
        // Given a token for every queue, and a queue whose topic does not exist
        URI base = start(config());
        HttpResponse<String> unknown = post(base + "/v1/queues/reports/jobs", REPORTS_TOKEN, "{\"type\":\"t\"}");

        // When the brokers do not answer
        topics.unreachable = true;
        HttpResponse<String> unavailable = post(base + "/v1/queues/emails/jobs", TOKEN, "{\"type\":\"t\"}");

        // Then 404 for the unknown queue, 503 with Retry-After when Kafka is unavailable, and nothing sent
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown)).isEqualTo("UNKNOWN_QUEUE");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(error(unavailable)).isEqualTo("BROKER_UNAVAILABLE");
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void rateLimitsEachTokenWith429AndRetryAfter() throws Exception {
        // Given 1 request per second with a burst of 2
        URI base = start(config().toBuilder().rateLimit(1).rateLimitBurst(2).build());
        String url = base + "/v1/queues/emails/jobs";

        // When a token sends three requests at once
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> last = null;
        for (int i = 0; i < 3; i++) {
            last = post(url, TOKEN, "{\"type\":\"t\"}");
            statuses.add(last.statusCode());
        }

        // Then the third is refused 429 with Retry-After, and another token is unaffected
        assertThat(statuses).containsExactly(202, 202, 429);
        assertThat(last.headers().firstValue("Retry-After")).contains("1");
        assertThat(error(last)).isEqualTo("RATE_LIMITED");
        assertThat(post(url, REPORTS_TOKEN, "{\"type\":\"t\"}").statusCode()).isEqualTo(202);
    }

    @Test
    void batchAnswersPerItemAnd207WhenSomeAreRefused() throws Exception {
        // Given the API
        URI base = start(config());

        // When a batch of two good jobs and one without a type is posted
        HttpResponse<String> response = post(
                base + "/v1/queues/emails/jobs:batch",
                TOKEN,
                "{\"jobs\":[{\"type\":\"a\"},{\"payload\":1},{\"type\":\"b\",\"idempotencyKey\":\"k\"}]}");

        // Then 207 with a result per item, in order, and two records sent
        assertThat(response.statusCode()).isEqualTo(207);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("published").asInt()).isEqualTo(2);
        assertThat(body.get("rejected").asInt()).isEqualTo(1);
        JsonNode results = body.get("results");
        assertThat(results.get(0).get("status").asText()).isEqualTo("published");
        assertThat(results.get(1).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(1).get("error").asText()).isEqualTo("MISSING_TYPE");
        assertThat(results.get(2).get("id").asText()).isEqualTo(Ulid.fromName("emails/ci/k")); // per token and queue
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void batchRefusesMoreJobsThanTheLimit() throws Exception {
        URI base = start(config());
        String jobs = String.join(",", java.util.Collections.nCopies(1001, "{\"type\":\"a\"}"));

        HttpResponse<String> response = post(base + "/v1/queues/emails/jobs:batch", TOKEN, "{\"jobs\":[" + jobs + "]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response)).isEqualTo("BATCH_TOO_LARGE");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void gitHubWebhookWithThePublishedTestVectorBecomesAJob() throws Exception {
        // Given a GitHub webhook
        URI base = start(config());

        // When GitHub's example is delivered
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/webhooks/github"))
                .header(
                        "X-Hub-Signature-256",
                        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("Hello, World!"))
                .build());

        // Then it is a job of the configured type on the configured queue, its payload the raw body
        assertThat(response.statusCode()).isEqualTo(202);
        Job job = decode(producer.history().getFirst());
        assertThat(job.getType()).isEqualTo("github_event");
        assertThat(producer.history().getFirst().topic()).isEqualTo("emails");
        assertThat(new String(bytes(job.getPayload()), StandardCharsets.UTF_8)).isEqualTo("Hello, World!");
        assertThat(job.getContentType()).isEqualTo("text/plain");
        assertThat(job.getHeaders())
                .containsEntry("jobstream.webhook", "github")
                .containsEntry("jobstream.webhook-event", "push");
        // And its id comes from signed content only (the body's signature), not from the unsigned delivery header
        assertThat(job.getId())
                .isEqualTo(Ulid.fromName(
                        "github/signature/757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
        assertThat(job.getHeaders())
                .containsEntry("jobstream.webhook-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    }

    @Test
    void aReplayedGitHubDeliveryIsEnqueuedOnceWhateverItsUnsignedDeliveryHeaderSays() throws Exception {
        // Given a GitHub webhook and a captured delivery
        URI base = start(config());
        String body = "{\"action\":\"opened\"}";
        String signature = "sha256=" + hexHmac(GITHUB_SECRET, body);

        // When it is sent again as is, and again with a new X-GitHub-Delivery (not signed)
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (String delivery : List.of("d-1", "d-1", "d-2")) {
            responses.add(send(HttpRequest.newBuilder(URI.create(base + "/webhooks/github"))
                    .header("X-Hub-Signature-256", signature)
                    .header("X-GitHub-Delivery", delivery)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build()));
        }

        // Then one job is enqueued; both replays are answered 200 with the same id, marked duplicate
        assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(202, 200, 200);
        assertThat(producer.history()).hasSize(1);
        String id = decode(producer.history().getFirst()).getId();
        for (HttpResponse<String> replay : responses.subList(1, 3)) {
            JsonNode answer = JSON.readTree(replay.body());
            assertThat(answer.path("id").asText()).isEqualTo(id);
            assertThat(answer.path("duplicate").asBoolean()).isTrue();
        }
    }

    @Test
    void aGenericHmacWebhookWithASignedTimestampRefusesAStaleDeliveryAndEnqueuesAFreshOneOnce() throws Exception {
        // Given a generic HMAC webhook whose sender signs "<unix seconds>.<body>" into X-Shop-Timestamp
        URI base = start(config().toBuilder()
                .webhooks(List.of(Webhook.hmac(
                                "shop",
                                "emails",
                                "shop_order",
                                "shop-secret",
                                "X-Shop-Signature",
                                SignatureEncoding.HEX)
                        .toBuilder()
                        .timestampHeader("X-Shop-Timestamp")
                        .build()))
                .build());
        String body = "{\"order\":7}";
        long now = Instant.now().getEpochSecond();

        // When a fresh delivery is sent twice, one signed 10 minutes ago, and one without the timestamp
        HttpResponse<String> fresh = shop(base, body, now);
        HttpResponse<String> again = shop(base, body, now);
        HttpResponse<String> stale = shop(base, body, now - 600);
        HttpResponse<String> untimed = send(HttpRequest.newBuilder(URI.create(base + "/webhooks/shop"))
                .header("X-Shop-Signature", hexHmac("shop-secret", body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());

        // Then the first is enqueued, the repeat is a duplicate, the stale one and the untimed one are refused
        assertThat(fresh.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(error(stale)).isEqualTo("STALE_SIGNATURE");
        assertThat(untimed.statusCode()).isEqualTo(401);
        assertThat(error(untimed)).isEqualTo("MISSING_SIGNATURE");
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void webhookWithWrongSecretMissingSignatureOrOversizedBodyEnqueuesNothing() throws Exception {
        // Given a GitHub webhook and a 1 KiB limit
        URI base = start(config().toBuilder()
                .maxRequestSize(1024)
                .maxBatchRequestSize(4096)
                .build());
        String body = "Hello, World!";

        // When deliveries come signed with another secret, unsigned, and too large
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(base + "/webhooks/github"))
                .header("X-Hub-Signature-256", "sha256=" + hexHmac("another secret", body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        HttpResponse<String> unsigned = send(HttpRequest.newBuilder(URI.create(base + "/webhooks/github"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        String large = "x".repeat(2000);
        HttpResponse<String> oversized = send(HttpRequest.newBuilder(URI.create(base + "/webhooks/github"))
                .header("X-Hub-Signature-256", "sha256=" + hexHmac(GITHUB_SECRET, large))
                .POST(HttpRequest.BodyPublishers.ofString(large))
                .build());

        // Then 401, 401 and 413, and nothing is enqueued
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(error(wrong)).isEqualTo("BAD_SIGNATURE");
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(error(unsigned)).isEqualTo("MISSING_SIGNATURE");
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void stripeWebhookRefusesStaleAndReplayedSignatures() throws Exception {
        // Given a Stripe webhook
        URI base = start(config());
        String body = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}";
        long now = Instant.now().getEpochSecond();

        // When a fresh delivery is sent twice, Stripe's retry of the same event (newly signed) once, and a delivery
        // signed 10 minutes ago once
        HttpResponse<String> fresh = stripe(base, body, now);
        HttpResponse<String> replayed = stripe(base, body, now);
        HttpResponse<String> retried = stripe(base, body, now + 1);
        HttpResponse<String> stale = stripe(base, body, now - 600);

        // Then only the first is enqueued; the replay and the retry of the same event are duplicates (200, same id,
        // nothing published), the stale one is refused 401
        assertThat(fresh.statusCode()).isEqualTo(202);
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(replayed.body()).path("duplicate").asBoolean()).isTrue();
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(error(stale)).isEqualTo("STALE_SIGNATURE");
        assertThat(producer.history()).hasSize(1);
        Job job = decode(producer.history().getFirst());
        assertThat(job.getHeaders()).containsEntry("jobstream.webhook-event", "invoice.paid");
        assertThat(job.getContentType()).isEqualTo("application/json");
    }

    @Test
    void genericHmacWebhookUsesItsConfiguredHeader() throws Exception {
        URI base = start(config());
        String body = "{\"order\":7}";

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/webhooks/shop"))
                .header("X-Shop-Signature", java.util.Base64.getEncoder().encodeToString(hmac("shop-secret", body)))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(decode(producer.history().getFirst()).getType()).isEqualTo("shop_order");
    }

    @Test
    void countsRequestsByRouteTemplateAndStatus() throws Exception {
        // Given the API
        URI base = start(config());

        // When a job is posted and an unknown route is called (the seam answers it 404, outside the API's routes)
        post(base + "/v1/queues/emails/jobs", TOKEN, "{\"type\":\"t\"}");
        assertThat(post(base + "/v1/queues/emails/nothing", TOKEN, "{}").statusCode())
                .isEqualTo(404);

        // Then the timer is tagged with the route's template, never the raw path (recorded once the response is
        // written, so possibly just after the client has it)
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> {
                    Timer accepted = server.registry()
                            .find("jobstream.api.requests")
                            .tags("route", "/v1/queues/{queue}/jobs", "status", "202")
                            .timer();
                    assertThat(accepted).isNotNull();
                    assertThat(accepted.count()).isEqualTo(1);
                    assertThat(server.registry()
                                    .find("jobstream.api.requests")
                                    .tags("route", "/v1/queues/emails/nothing")
                                    .timer())
                            .isNull();
                });
    }

    @Test
    void refusesToMountWithoutAPublishTokenWhileAuthIsRequired() {
        // Given a server whose tokens cannot publish
        server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .bindJvmMetrics(false)
                .http(HttpConfig.defaults(
                        List.of(AccessToken.of("ops", "ops-token-0123456789", Set.of(Scope.DLQ_READ), Set.of("*")))))
                .start();
        open.add(server);
        JobPublisher publisher = publisher();
        open.add(publisher);

        // Then mounting the API fails naming the keys
        assertThatThrownBy(() -> IngestApi.mount(config(), publisher, server))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.tokens")
                .hasMessageContaining("jobstream.runtime.http.auth-required");
    }

    @Test
    void answers503AfterClose() throws Exception {
        // Given the API mounted on a server that outlives it
        IngestApiConfig config = config();
        server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .bindJvmMetrics(false)
                .http(HTTP)
                .start();
        open.add(server);
        JobPublisher publisher = publisher();
        open.add(publisher);
        IngestApi api = IngestApi.mount(config, publisher, server);

        // When it is closed
        api.close();

        // Then requests are refused 503 and nothing is sent
        HttpResponse<String> response = post(api.uri() + "/v1/queues/emails/jobs", TOKEN, "{\"type\":\"t\"}");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(error(response)).isEqualTo("SHUTTING_DOWN");
        assertThat(producer.history()).isEmpty();
    }

    private IngestApiConfig config() {
        return IngestApiConfig.builder()
                .webhooks(List.of(
                        Webhook.github("github", "emails", "github_event", GITHUB_SECRET),
                        Webhook.stripe("stripe", "emails", "stripe_event", STRIPE_SECRET),
                        Webhook.hmac(
                                "shop",
                                "emails",
                                "shop_order",
                                "shop-secret",
                                "X-Shop-Signature",
                                SignatureEncoding.BASE64)))
                .build();
    }

    private URI start(IngestApiConfig config) {
        server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .bindJvmMetrics(false)
                .http(HTTP)
                .start();
        open.add(server);
        JobPublisher publisher = publisher();
        open.add(publisher);
        IngestApi api = IngestApi.mount(config, publisher, server);
        open.add(api);
        return api.uri();
    }

    private JobPublisher publisher() {
        return topics.publisher(
                PublisherConfig.defaults(), producer, server.registry(), Clock.systemUTC(), "broker-1:9092");
    }

    private HttpResponse<String> shop(URI base, String body, long t) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/webhooks/shop"))
                .header("X-Shop-Timestamp", Long.toString(t))
                .header("X-Shop-Signature", hexHmac("shop-secret", t + "." + body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private HttpResponse<String> stripe(URI base, String body, long t) throws Exception {
        String signature = hexHmac(STRIPE_SECRET, t + "." + body);
        return send(HttpRequest.newBuilder(URI.create(base + "/webhooks/stripe"))
                .header("Stripe-Signature", "t=" + t + ",v1=" + signature)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private HttpResponse<String> post(String url, String token, String body) throws Exception {
        return send(request(url, token, body).build());
    }

    private static HttpRequest.Builder request(String url, String token, String body) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("error").asText();
    }

    private static String hexHmac(String secret, String data) {
        return HexFormat.of().formatHex(hmac(secret, data));
    }

    private static byte[] hmac(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static Job decode(ProducerRecord<String, byte[]> record) {
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            return serde.decode(record.topic(), record.headers(), record.value());
        }
    }

    private static MockProducer<String, byte[]> mockProducer() {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            partitions.add(new PartitionInfo("emails", p, node, new Node[] {node}, new Node[] {node}));
        }
        Cluster cluster = new Cluster("test", List.of(node), partitions, Set.of(), Set.of());
        return new MockProducer<>(cluster, true, null, new StringSerializer(), new ByteArraySerializer());
    }
}

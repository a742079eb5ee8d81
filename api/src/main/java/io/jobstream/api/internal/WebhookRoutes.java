package io.jobstream.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.api.IngestApiConfig;
import io.jobstream.api.IngestApiConfig.Webhook;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.JobReceipt;
import io.jobstream.producer.Jobs;
import io.jobstream.runtime.http.Access;
import io.jobstream.runtime.http.Endpoint;
import io.jobstream.runtime.http.HttpRequest;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Ulid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code POST /webhooks/{name}}: checks the request's signature with the webhook's scheme and secret, then publishes
 * the raw body (its content type kept) as a job of the webhook's type on its queue, answering 202 only after Kafka
 * acknowledged it. A missing, bad or stale signature is answered 401 and nothing is published.
 *
 * <p>The job id is derived from signed content only ({@code Ulid.fromName}: the Stripe event id, else the signature
 * and its signed timestamp), and each delivery is remembered for the webhook's replay window ({@link
 * WebhookDeliveries}): the same delivery sent again within it is answered 200 {@code {"id", "queue", "duplicate":
 * true}} and publishes nothing. Job headers: {@code jobstream.webhook} (the webhook's name), {@code
 * jobstream.webhook-event} (GitHub's {@code X-GitHub-Event}, or the {@code type} of a Stripe event) and {@code
 * jobstream.webhook-delivery} (GitHub's {@code X-GitHub-Delivery}, or the Stripe event's {@code id}), for information.
 * Thread-safe.
 */
public final class WebhookRoutes {

    /** The job header naming the webhook. */
    public static final String WEBHOOK_HEADER = "jobstream.webhook";
    /** The job header holding the sender's event type. */
    public static final String EVENT_HEADER = "jobstream.webhook-event";
    /** The job header holding the sender's delivery id. */
    public static final String DELIVERY_HEADER = "jobstream.webhook-delivery";

    static final String ROUTE = "/webhooks/{name}";

    private final IngestApiConfig config;
    private final Map<String, Webhook> webhooks;
    private final JobPublisher publisher;
    private final Publishing publishing;
    private final WebhookDeliveries deliveries;
    private final ApiMetrics metrics;
    private final Admission admission;
    private final Clock clock;

    /** Routes for the webhooks of {@code config}. */
    public WebhookRoutes(
            IngestApiConfig config,
            JobPublisher publisher,
            WebhookDeliveries deliveries,
            ApiMetrics metrics,
            Admission admission,
            Clock clock) {
        this.config = config;
        this.webhooks = config.webhooks().stream().collect(Collectors.toMap(Webhook::name, Function.identity()));
        this.publisher = publisher;
        this.publishing = new Publishing(config.publishTimeout());
        this.deliveries = deliveries;
        this.metrics = metrics;
        this.admission = admission;
        this.clock = clock;
    }

    /**
     * {@code POST /webhooks/{name}} as an endpoint of the runtime's HTTP seam that authenticates itself ({@link
     * Access#signed()}: no bearer token, any content type), its body within {@code jobstream.api.max-request-size}.
     */
    public List<Endpoint> endpoints() {
        return List.of(Endpoint.post(ROUTE)
                .access(Access.signed())
                .anyContentType()
                .maxBodySize(config.maxRequestSize())
                .to(admission.guarded(ROUTE, metrics, this::handle)));
    }

    private HttpResponse handle(HttpRequest request) {
        String name = request.pathParam("name");
        Webhook webhook = webhooks.get(name);
        if (webhook == null) {
            throw new ApiProblem(404, "NOT_FOUND", "no webhook named '" + JobRequests.shown(name) + "' is configured");
        }
        return deliver(request, webhook);
    }

    private HttpResponse deliver(HttpRequest request, Webhook webhook) {
        byte[] body = request.body();
        byte[] secret = webhook.secret().value().getBytes(StandardCharsets.UTF_8);
        String signature = request.header(webhook.header()).orElse(null);
        Signatures.Verification verification =
                switch (webhook.scheme()) {
                    case GITHUB -> Signatures.github(secret, body, signature);
                    case STRIPE -> Signatures.stripe(secret, body, signature, clock.instant(), webhook.tolerance());
                    case HMAC_SHA256 ->
                        Signatures.hmacSha256(
                                secret,
                                body,
                                webhook.header(),
                                signature,
                                webhook.encoding(),
                                webhook.timestampHeader(),
                                webhook.timestampHeader() == null
                                        ? null
                                        : request.header(webhook.timestampHeader())
                                                .orElse(null),
                                clock.instant(),
                                webhook.tolerance());
                };
        String signed =
                switch (verification) {
                    case Signatures.Invalid invalid -> throw new ApiProblem(401, invalid.code(), invalid.message());
                    case Signatures.Valid valid -> valid.replayKey();
                };
        Job job;
        try {
            job = job(request, webhook, body, signed);
        } catch (RuntimeException e) {
            throw publishing.problemFor(e); // a header the job checks refuse (length, control characters): a 400
        }
        WebhookDeliveries.First first =
                switch (deliveries.admit(job.getId())) {
                    case WebhookDeliveries.First f -> f;
                    // the same signed delivery was enqueued within the window: nothing is published again
                    case WebhookDeliveries.Duplicate d -> null;
                    case WebhookDeliveries.InProgress busy ->
                        throw new ApiProblem(
                                409,
                                "DELIVERY_IN_PROGRESS",
                                "the same delivery is being enqueued by another request",
                                Optional.of(busy.retryAfter()));
                };
        if (first == null) {
            ObjectNode receipt = JobRequests.MAPPER.createObjectNode();
            receipt.put("id", job.getId());
            receipt.put("queue", webhook.queue());
            receipt.put("duplicate", true);
            return HttpResponse.json(200, receipt);
        }
        CompletableFuture<JobReceipt> published;
        try {
            published = publisher.publish(webhook.queue(), job);
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        JobReceipt receipt;
        try {
            receipt = publishing.await(published);
        } catch (ApiProblem problem) {
            // Not enqueued (or not known to be): let the sender retry the very same request.
            deliveries.notPublished(first);
            throw problem;
        }
        deliveries.published(first, webhook.replayWindow());
        return HttpResponse.json(202, Publishing.receiptJson(receipt));
    }

    /**
     * The job a verified delivery becomes. Its id comes from signed content only, so a replayed or re-sent delivery
     * gets the same id whatever unsigned headers say: the Stripe event's {@code id} (inside the signed body), else the
     * signature (and its signed timestamp). GitHub's {@code X-GitHub-Delivery} and event, not signed, are kept as
     * headers for information.
     */
    private static Job job(HttpRequest request, Webhook webhook, byte[] body, String signed) {
        String contentType =
                request.header("Content-Type").filter(t -> !t.isBlank()).orElse(Jobs.OCTET_STREAM);
        Jobs.Builder builder =
                Jobs.builder(webhook.type()).payload(body, contentType).header(WEBHOOK_HEADER, webhook.name());
        Optional<String> event = Optional.empty();
        Optional<String> delivery = Optional.empty();
        String identity = "signature/" + signed;
        switch (webhook.scheme()) {
            case GITHUB -> {
                event = request.header("X-GitHub-Event");
                delivery = request.header("X-GitHub-Delivery");
            }
            case STRIPE -> {
                JsonNode node = stripeEvent(body);
                event = text(node, "type");
                delivery = text(node, "id");
                if (delivery.filter(d -> !d.isBlank()).isPresent()) {
                    identity = "event/" + delivery.get();
                }
            }
            case HMAC_SHA256 -> {}
        }
        event.filter(e -> !e.isBlank()).ifPresent(e -> builder.header(EVENT_HEADER, e));
        delivery.filter(d -> !d.isBlank()).ifPresent(d -> builder.header(DELIVERY_HEADER, d));
        builder.id(Ulid.fromName(webhook.name() + "/" + identity));
        return builder.build();
    }

    private static JsonNode stripeEvent(byte[] body) {
        try {
            return JobRequests.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        if (node == null || !node.isObject() || !node.path(field).isTextual()) {
            return Optional.empty();
        }
        return Optional.of(node.get(field).asText());
    }
}

package io.jobstream.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.api.IngestApiConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.JobReceipt;
import io.jobstream.producer.PublishOutcome;
import io.jobstream.runtime.http.Endpoint;
import io.jobstream.runtime.http.HttpRequest;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.runtime.http.Route;
import io.jobstream.runtime.http.Scope;
import io.jobstream.schemas.Job;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/queues/{queue}/jobs} and {@code POST /v1/queues/{queue}/jobs:batch} as endpoints of the runtime's
 * HTTP seam, which checks the bearer token's {@code publish} scope for the queue, the JSON content type and the body
 * limit; these routes add a per-token rate limit, JSON to jobs, publish, and a 202 only after Kafka acknowledged.
 * Thread-safe.
 */
public final class QueueRoutes {
    static final String SINGLE = "/v1/queues/{queue}/jobs";
    static final String BATCH = "/v1/queues/{queue}/jobs:batch";
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final IngestApiConfig config;
    private final JobPublisher publisher;
    private final Publishing publishing;
    private final RateLimits rateLimits;
    private final IdempotencyCache idempotency;
    private final ApiMetrics metrics;
    private final Admission admission;
    private final PublishableQueues queues;

    /** Routes publishing with {@code publisher}. */
    public QueueRoutes(
            IngestApiConfig config,
            JobPublisher publisher,
            ApiMetrics metrics,
            Admission admission,
            RateLimits rateLimits,
            Clock clock) {
        this.config = config;
        this.publisher = publisher;
        this.publishing = new Publishing(config.publishTimeout());
        this.queues = new PublishableQueues(publisher, publishing);
        this.rateLimits = rateLimits;
        this.idempotency = new IdempotencyCache(config.idempotencyCapacity(), config.idempotencyRetention(), clock);
        this.metrics = metrics;
        this.admission = admission;
    }

    /** The two endpoints, guarded by the {@code publish} scope. */
    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.post(SINGLE)
                        .scope(Scope.PUBLISH)
                        .maxBodySize(config.maxRequestSize())
                        .to(measured(SINGLE, this::single)),
                Endpoint.post(BATCH)
                        .scope(Scope.PUBLISH)
                        .maxBodySize(config.maxBatchRequestSize())
                        .to(measured(BATCH, this::batch)));
    }

    private Route measured(String route, Route inner) {
        return admission.guarded(route, metrics, request -> {
            String client = request.principal().name();
            rateLimits.tryAcquire(client).ifPresent(wait -> {
                throw new ApiProblem(
                        429,
                        "RATE_LIMITED",
                        "token " + client + " is over its rate limit of " + config.rateLimit() + " requests/s",
                        Optional.of(wait));
            });
            // only queues are publishable, whatever the token's grant says: a derived or internal topic is
            // NOT_A_QUEUE (404), a name no queue can have INVALID_QUEUE_NAME (400)
            queues.check(request.pathParam("queue"));
            return inner.handle(request);
        });
    }

    private HttpResponse single(HttpRequest request) {
        String queue = request.pathParam("queue");
        Optional<String> key = request.header("Idempotency-Key").map(String::trim);
        if (key.isPresent() && (key.get().isEmpty() || key.get().length() > MAX_IDEMPOTENCY_KEY)) {
            throw ApiProblem.badRequest(
                    "BAD_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        String client = request.principal().name();
        byte[] body = request.body();
        Job job = JobRequests.job(IdempotencyScope.idPrefix(client, queue), JobRequests.parse(body), key);
        if (key.isEmpty()) {
            JobReceipt receipt = publishing.await(publish(queue, job));
            return HttpResponse.json(202, Publishing.receiptJson(receipt));
        }
        // an Idempotency-Key is one token's on one queue; the same key with another body is a 409
        IdempotencyCache.Claim claim = idempotency.claim(
                IdempotencyScope.cacheKey(client, queue, key.get()), IdempotencyScope.fingerprint(body));
        if (claim.conflict()) {
            throw IdempotencyScope.reused();
        }
        if (claim.first()) {
            publish(queue, job).whenComplete((receipt, error) -> {
                if (error != null) {
                    claim.receipt().completeExceptionally(error);
                } else {
                    claim.receipt().complete(receipt);
                }
            });
        }
        JobReceipt receipt = publishing.await(claim.receipt());
        HttpResponse response = HttpResponse.json(202, Publishing.receiptJson(receipt));
        return claim.first() ? response : response.withHeader("Idempotent-Replayed", "true");
    }

    private CompletableFuture<JobReceipt> publish(String queue, Job job) {
        try {
            return publisher.publish(queue, job);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private HttpResponse batch(HttpRequest request) {
        String queue = request.pathParam("queue");
        if (request.hasHeader("Idempotency-Key")) {
            throw ApiProblem.badRequest(
                    "BAD_IDEMPOTENCY_KEY",
                    "Idempotency-Key applies to single-job requests; give each batch item an idempotencyKey or id");
        }
        JsonNode root = JobRequests.parse(request.body());
        JsonNode items = root.isObject() ? root.get("jobs") : null;
        if (items == null || !items.isArray()) {
            throw ApiProblem.badRequest("INVALID_BATCH", "send {\"jobs\": [ ... ]}");
        }
        if (items.isEmpty()) {
            throw ApiProblem.badRequest("INVALID_BATCH", "the batch holds no jobs");
        }
        if (items.size() > config.maxBatchSize()) {
            throw ApiProblem.badRequest(
                    "BATCH_TOO_LARGE",
                    "the batch holds " + items.size() + " jobs; at most " + config.maxBatchSize()
                            + " (jobstream.api.max-batch-size)");
        }
        ObjectNode[] results = new ObjectNode[items.size()];
        List<Job> jobs = new ArrayList<>(items.size());
        List<Integer> positions = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            try {
                jobs.add(JobRequests.job(
                        IdempotencyScope.idPrefix(request.principal().name(), queue), items.get(i), Optional.empty()));
                positions.add(i);
            } catch (ApiProblem problem) {
                results[i] = itemError(i, "rejected", problem);
            }
        }
        if (!jobs.isEmpty()) {
            List<PublishOutcome> outcomes;
            try {
                outcomes = publishing.awaitAll(publisher.publishAll(queue, jobs));
            } catch (RuntimeException e) {
                throw e instanceof ApiProblem problem ? problem : publishing.problemFor(e);
            }
            for (int j = 0; j < outcomes.size(); j++) {
                int i = positions.get(j);
                results[i] = switch (outcomes.get(j)) {
                    case PublishOutcome.Published p -> {
                        ObjectNode node = JobRequests.MAPPER.createObjectNode();
                        node.put("index", i);
                        node.put("status", "published");
                        node.setAll(Publishing.receiptJson(p.receipt()));
                        yield node;
                    }
                    case PublishOutcome.Rejected r ->
                        withId(itemError(i, "rejected", publishing.problemFor(r.error())), r.jobId());
                    case PublishOutcome.Failed f ->
                        withId(itemError(i, "failed", publishing.problemFor(f.error())), f.jobId());
                };
            }
        }
        return batchResponse(results);
    }

    private static HttpResponse batchResponse(ObjectNode[] results) {
        int published = 0;
        int failed = 0;
        int unknownQueue = 0;
        ArrayNode array = JobRequests.MAPPER.createArrayNode();
        for (ObjectNode result : results) {
            array.add(result);
            switch (result.get("status").asText()) {
                case "published" -> published++;
                case "failed" -> failed++;
                default -> {
                    if ("UNKNOWN_QUEUE".equals(result.path("error").asText())) {
                        unknownQueue++;
                    }
                }
            }
        }
        ObjectNode body = JobRequests.MAPPER.createObjectNode();
        body.put("published", published);
        body.put("rejected", results.length - published - failed);
        body.put("failed", failed);
        body.set("results", array);
        int status;
        if (published == results.length) {
            status = 202;
        } else if (published > 0) {
            status = 207;
        } else if (failed > 0) {
            status = 503;
        } else if (unknownQueue == results.length) {
            status = 404;
        } else {
            status = 400;
        }
        if (status >= 400) {
            body.put("error", status == 503 ? "BROKER_UNAVAILABLE" : status == 404 ? "UNKNOWN_QUEUE" : "INVALID_BATCH");
            body.put("message", "no job of the batch was published; see results");
        }
        HttpResponse response = HttpResponse.json(status, body);
        return status == 503
                ? response.withHeader(
                        "Retry-After",
                        String.valueOf(HttpResponse.retryAfterSeconds(Publishing.RETRY_AFTER_UNAVAILABLE)))
                : response;
    }

    private static ObjectNode itemError(int index, String status, ApiProblem problem) {
        ObjectNode node = JobRequests.MAPPER.createObjectNode();
        node.put("index", index);
        node.put("status", status);
        node.put("error", problem.code());
        node.put("message", problem.getMessage());
        return node;
    }

    private static ObjectNode withId(ObjectNode node, String id) {
        node.put("id", id);
        return node;
    }
}

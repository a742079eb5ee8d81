package io.jobstream.producer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.jobstream.producer.IngestApiConfig;
import io.jobstream.producer.IngestApiConfig.ApiToken;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.JobReceipt;
import io.jobstream.producer.PublishOutcome;
import io.jobstream.schemas.Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/queues/{queue}/jobs} and {@code POST /v1/queues/{queue}/jobs:batch}: bearer-token auth with
 * per-token queues, a per-token rate limit, body limits, JSON to jobs, publish, and a 202 only after Kafka
 * acknowledged. Runs on the server's virtual threads; thread-safe.
 */
public final class QueueRoutes implements HttpHandler {
    /** The context path the routes are mounted at. */
    public static final String CONTEXT = "/v1/queues/";

    static final String SINGLE = "/v1/queues/{queue}/jobs";
    static final String BATCH = "/v1/queues/{queue}/jobs:batch";
    static final String UNMATCHED = "/v1/queues/*";
    private static final String ANONYMOUS = IdempotencyScope.ANONYMOUS;
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final IngestApiConfig config;
    private final JobPublisher publisher;
    private final Publishing publishing;
    private final RateLimits rateLimits;
    private final IdempotencyCache idempotency;
    private final ApiMetrics metrics;
    private final Admission admission;
    private final List<Credential> credentials;
    private final PublishableQueues queues;

    private record Credential(ApiToken token, byte[] digest) {}

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
        this.credentials = config.tokens().stream()
                .map(t -> new Credential(t, sha256(t.secret().value())))
                .toList();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String route = UNMATCHED;
        HttpIo.Response response;
        boolean admitted = admission.enter();
        try {
            String rest = exchange.getRequestURI().getRawPath().substring(CONTEXT.length());
            int slash = rest.indexOf('/');
            String queue = slash < 0 ? "" : rest.substring(0, slash);
            String action = slash < 0 ? "" : rest.substring(slash + 1);
            route = switch (action) {
                case "jobs" -> SINGLE;
                case "jobs:batch" -> BATCH;
                default -> UNMATCHED;
            };
            if (!admitted) {
                throw new ApiProblem(
                        503,
                        "SHUTTING_DOWN",
                        "the server is shutting down",
                        Optional.of(Publishing.RETRY_AFTER_UNAVAILABLE));
            }
            if (route.equals(UNMATCHED) || queue.isEmpty()) {
                throw new ApiProblem(
                        404, "NOT_FOUND", "no such route; use POST /v1/queues/{queue}/jobs or .../jobs:batch");
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                throw new ApiProblem(405, "METHOD_NOT_ALLOWED", route + " accepts POST only");
            }
            String client = authorize(exchange, queue);
            rateLimits.tryAcquire(client).ifPresent(wait -> {
                throw new ApiProblem(
                        429,
                        "RATE_LIMITED",
                        "token " + client + " is over its rate limit of " + config.rateLimit() + " requests/s",
                        Optional.of(wait));
            });
            queues.check(queue);
            response = route.equals(SINGLE) ? single(exchange, queue, client) : batch(exchange, queue, client);
        } catch (ApiProblem problem) {
            response = HttpIo.error(problem);
        } catch (RuntimeException e) {
            response = HttpIo.error(publishing.internalError(route, e));
        } finally {
            if (admitted) {
                admission.exit();
            }
        }
        try {
            HttpIo.send(exchange, response);
        } finally {
            metrics.record(route, response.status(), System.nanoTime() - started);
        }
    }

    private String authorize(HttpExchange exchange, String queue) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (!config.authRequired()) {
            return ANONYMOUS;
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiProblem(401, "UNAUTHORIZED", "send a token as Authorization: Bearer <token>");
        }
        byte[] presented = sha256(header.substring(7).trim());
        ApiToken matched = null;
        for (Credential credential : credentials) {
            // Compare with every token (constant time each), so timing does not reveal which one matched.
            if (MessageDigest.isEqual(credential.digest(), presented) && matched == null) {
                matched = credential.token();
            }
        }
        if (matched == null) {
            throw new ApiProblem(401, "UNAUTHORIZED", "the bearer token is not valid");
        }
        if (!matched.allows(queue)) {
            throw new ApiProblem(403, "FORBIDDEN", "token " + matched.name() + " may not publish to queue " + queue);
        }
        return matched.name();
    }

    private HttpIo.Response single(HttpExchange exchange, String queue, String client) throws IOException {
        Optional<String> key = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Idempotency-Key"))
                .map(String::trim);
        if (key.isPresent() && (key.get().isEmpty() || key.get().length() > MAX_IDEMPOTENCY_KEY)) {
            throw ApiProblem.badRequest(
                    "BAD_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        byte[] body = HttpIo.readBody(exchange, config.maxRequestSize());
        Job job = JobRequests.job(IdempotencyScope.idPrefix(client, queue), JobRequests.parse(body), key);
        if (key.isEmpty()) {
            JobReceipt receipt = publishing.await(publish(queue, job));
            return new HttpIo.Response(202, Publishing.receiptJson(receipt));
        }
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
        return new HttpIo.Response(
                202, Publishing.receiptJson(receipt), claim.first() ? Map.of() : Map.of("Idempotent-Replayed", "true"));
    }

    private CompletableFuture<JobReceipt> publish(String queue, Job job) {
        try {
            return publisher.publish(queue, job);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private HttpIo.Response batch(HttpExchange exchange, String queue, String client) throws IOException {
        if (exchange.getRequestHeaders().containsKey("Idempotency-Key")) {
            throw ApiProblem.badRequest(
                    "BAD_IDEMPOTENCY_KEY",
                    "Idempotency-Key applies to single-job requests; give each batch item an idempotencyKey or id");
        }
        byte[] body = HttpIo.readBody(exchange, config.maxBatchRequestSize());
        JsonNode root = JobRequests.parse(body);
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
                jobs.add(JobRequests.job(IdempotencyScope.idPrefix(client, queue), items.get(i), Optional.empty()));
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
                        ObjectNode node = Payloads.MAPPER.createObjectNode();
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

    private static HttpIo.Response batchResponse(ObjectNode[] results) {
        int published = 0;
        int failed = 0;
        int unknownQueue = 0;
        ArrayNode array = Payloads.MAPPER.createArrayNode();
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
        ObjectNode body = Payloads.MAPPER.createObjectNode();
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
        Map<String, String> headers = status == 503
                ? Map.of("Retry-After", String.valueOf(HttpIo.retryAfterSeconds(Publishing.RETRY_AFTER_UNAVAILABLE)))
                : Map.of();
        return new HttpIo.Response(status, body, headers);
    }

    private static ObjectNode itemError(int index, String status, ApiProblem problem) {
        ObjectNode node = Payloads.MAPPER.createObjectNode();
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

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

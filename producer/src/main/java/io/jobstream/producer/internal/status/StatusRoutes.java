package io.jobstream.producer.internal.status;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.jobstream.producer.IngestApiConfig;
import io.jobstream.producer.IngestApiConfig.ApiToken;
import io.jobstream.producer.JobStatus;
import io.jobstream.producer.JobStatusLookup;
import io.jobstream.producer.internal.ApiMetrics;
import io.jobstream.producer.internal.ApiProblem;
import io.jobstream.producer.internal.HttpIo;
import io.jobstream.producer.internal.Payloads;
import io.jobstream.producer.internal.Publishing;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/jobs/{id}} and {@code GET /v1/jobs/{id}/events}. A job whose partition another replica owns is
 * fetched from that replica (same path and {@code Authorization}, marked {@code X-Jobstream-Forwarded-By}) and its
 * answer relayed as is, so clients may ask any replica; a forwarded request is never forwarded again (the partition is
 * moving: {@code 503}). Every answer names the replica that answered in {@code X-Jobstream-Served-By}. Runs on the
 * server's virtual threads; thread-safe. Every request ends with a response: expected refusals are JSON errors
 * ({@code 404 JOB_NOT_FOUND}, {@code 409 AMBIGUOUS_JOB_ID}, {@code 503 STATUS_UNAVAILABLE}, {@code 503
 * OWNER_UNREACHABLE}, {@code 401}, {@code 405}). Job ids are per queue ({@link StatusScope}): a caller sees only jobs
 * of queues its token may read, {@code ?queue=} narrows to one, and a job it may not read is a 404, never a 403.
 */
public final class StatusRoutes implements HttpHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusRoutes.class);

    /** The context path the routes are mounted at. */
    public static final String CONTEXT = "/v1/jobs/";
    /** The header naming the replica that answered. */
    public static final String SERVED_BY = "X-Jobstream-Served-By";
    /** The header a forwarding replica sets (its own address). */
    public static final String FORWARDED_BY = "X-Jobstream-Forwarded-By";

    static final String STATUS = "/v1/jobs/{id}";
    static final String EVENTS = "/v1/jobs/{id}/events";
    static final String UNMATCHED = "/v1/jobs/*";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final Lookup lookup;
    private final IngestApiConfig api;
    private final Duration forwardTimeout;
    private final ApiMetrics metrics;
    private final String self;
    private final List<Credential> credentials;
    private final ExecutorService forwarding = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private volatile boolean closed;

    private record Credential(ApiToken token, byte[] digest) {}

    /** Answers for a job id in the queues {@code readable} accepts ({@code JobStatusProjection#lookup}). */
    @FunctionalInterface
    public interface Lookup {
        /** What this replica knows of job {@code id} in the queues {@code readable} accepts. */
        JobStatusLookup lookup(String id, Predicate<String> readable);
    }

    /**
     * Routes answering from {@code lookup}.
     *
     * @param self this replica's advertised {@code host:port}
     */
    public StatusRoutes(Lookup lookup, IngestApiConfig api, Duration forwardTimeout, ApiMetrics metrics, String self) {
        this.lookup = lookup;
        this.api = api;
        this.forwardTimeout = forwardTimeout;
        this.metrics = metrics;
        this.self = self;
        this.credentials = api.tokens().stream()
                .map(t -> new Credential(t, sha256(t.secret().value())))
                .toList();
        this.http = HttpClient.newBuilder()
                .connectTimeout(forwardTimeout)
                .executor(forwarding)
                .build();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String route = UNMATCHED;
        int status;
        try {
            String rest = exchange.getRequestURI().getRawPath().substring(CONTEXT.length());
            String[] parts = rest.split("/", -1);
            if (parts.length == 1 && !parts[0].isEmpty()) {
                route = STATUS;
            } else if (parts.length == 2 && !parts[0].isEmpty() && parts[1].equals("events")) {
                route = EVENTS;
            }
            if (route.equals(UNMATCHED)) {
                throw new ApiProblem(404, "NOT_FOUND", "no such route; use GET /v1/jobs/{id} or /v1/jobs/{id}/events");
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                throw new ApiProblem(405, "METHOD_NOT_ALLOWED", route + " accepts GET only");
            }
            if (closed) {
                throw unavailable("the job-status projection is stopping");
            }
            Optional<ApiToken> token = authenticate(exchange);
            String id = URLDecoder.decode(parts[0].replace("+", "%2B"), StandardCharsets.UTF_8);
            Predicate<String> readable = StatusScope.readable(token, exchange.getRequestURI());
            status = switch (lookup.lookup(id, readable)) {
                case JobStatusLookup.Found found -> {
                    JobStatus job = found.status();
                    if (!readable.test(job.queue())) {
                        // Never 403 naming the queue: an id the caller may not read is unknown to it.
                        throw StatusScope.notFound(id);
                    }
                    yield send(exchange, 200, route.equals(STATUS) ? statusJson(job) : eventsJson(job), Map.of());
                }
                case JobStatusLookup.NotFound notFound -> throw StatusScope.notFound(notFound.id());
                case JobStatusLookup.Ambiguous ambiguous -> throw StatusScope.ambiguous(ambiguous);
                case JobStatusLookup.Elsewhere owner -> forward(exchange, owner);
                case JobStatusLookup.Unavailable unavailable -> throw unavailable(unavailable.reason());
            };
        } catch (ApiProblem problem) {
            HttpIo.Response error = HttpIo.error(problem);
            status = send(exchange, error.status(), error.body(), error.headers());
        } catch (RuntimeException e) {
            LOG.error("job status request failed route={} detail=\"{}\"", route, Publishing.encoded(e.toString()), e);
            HttpIo.Response error = HttpIo.error(
                    new ApiProblem(500, "INTERNAL_ERROR", "the server failed to handle the request; it is logged"));
            status = send(exchange, error.status(), error.body(), error.headers());
        }
        metrics.record(route, status, System.nanoTime() - started);
    }

    private int forward(HttpExchange exchange, JobStatusLookup.Elsewhere owner) throws IOException {
        String forwardedBy = exchange.getRequestHeaders().getFirst(FORWARDED_BY);
        if (forwardedBy != null) {
            throw unavailable("the job's partition is moving between replicas (" + forwardedBy + " sent it here, "
                    + owner.address() + " owns it now)");
        }
        String query = exchange.getRequestURI().getRawQuery();
        URI target = URI.create("http://" + owner.address()
                + exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query));
        HttpRequest.Builder request =
                HttpRequest.newBuilder(target).timeout(forwardTimeout).header(FORWARDED_BY, self);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw ownerUnreachable(owner, "no answer within " + forwardTimeout.toMillis() + " ms");
        } catch (IOException e) {
            // The exception's text stays in the log: an answer names no internal exception.
            LOG.warn(
                    "job status forward failed owner={} detail=\"{}\"",
                    owner.address(),
                    Publishing.encoded(e.toString()));
            throw ownerUnreachable(owner, "the connection failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ownerUnreachable(owner, "interrupted");
        }
        exchange.getResponseHeaders()
                .set("Content-Type", answer.headers().firstValue("Content-Type").orElse("application/json"));
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        for (String name : List.of("Retry-After", "WWW-Authenticate", SERVED_BY)) {
            answer.headers().firstValue(name).ifPresent(value -> exchange.getResponseHeaders()
                    .set(name, value));
        }
        byte[] body = answer.body();
        exchange.sendResponseHeaders(answer.statusCode(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        return answer.statusCode();
    }

    private ApiProblem ownerUnreachable(JobStatusLookup.Elsewhere owner, String why) {
        LOG.warn("job status forward failed owner={} reason={}", owner.address(), why);
        return new ApiProblem(
                503,
                "OWNER_UNREACHABLE",
                "the replica owning this job (" + owner.address() + ") did not answer: " + why,
                Optional.of(RETRY_AFTER));
    }

    private static ApiProblem unavailable(String reason) {
        return new ApiProblem(503, "STATUS_UNAVAILABLE", reason, Optional.of(RETRY_AFTER));
    }

    private Optional<ApiToken> authenticate(HttpExchange exchange) {
        if (!api.authRequired()) {
            return Optional.empty();
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
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
        return Optional.of(matched);
    }

    private int send(HttpExchange exchange, int status, ObjectNode body, Map<String, String> headers)
            throws IOException {
        exchange.getResponseHeaders().set(SERVED_BY, self);
        HttpIo.send(exchange, new HttpIo.Response(status, body, headers));
        return status;
    }

    /** The JSON of {@code GET /v1/jobs/{id}}. */
    public static ObjectNode statusJson(JobStatus job) {
        ObjectNode node = Payloads.MAPPER.createObjectNode();
        node.put("id", job.id());
        node.put("queue", job.queue());
        node.put("type", job.type());
        node.put("state", job.state().name());
        node.put("attempts", job.attempts());
        node.put("firstEnqueuedAt", job.firstEnqueuedAt().map(Object::toString).orElse(null));
        node.put("lastUpdatedAt", job.lastUpdatedAt().toString());
        node.put("lastError", job.lastError().orElse(null));
        node.put("eventCount", job.eventCount());
        node.set("events", events(job));
        return node;
    }

    /** The JSON of {@code GET /v1/jobs/{id}/events}. */
    public static ObjectNode eventsJson(JobStatus job) {
        ObjectNode node = Payloads.MAPPER.createObjectNode();
        node.put("id", job.id());
        node.put("eventCount", job.eventCount());
        node.set("events", events(job));
        return node;
    }

    private static ArrayNode events(JobStatus job) {
        ArrayNode events = Payloads.MAPPER.createArrayNode();
        for (JobStatus.Event event : job.events()) {
            ObjectNode e = events.addObject();
            e.put("state", event.state().name());
            e.put("attempt", event.attempt());
            e.put("at", event.at().toString());
            e.put("workerId", event.workerId().orElse(null));
            e.put("error", event.error().orElse(null));
        }
        return events;
    }

    /** Answers {@code 503} from now on and releases the forwarding client. */
    @Override
    public void close() {
        closed = true;
        http.close();
        forwarding.close();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

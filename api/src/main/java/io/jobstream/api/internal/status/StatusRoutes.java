package io.jobstream.api.internal.status;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.api.JobStatus;
import io.jobstream.api.JobStatusLookup;
import io.jobstream.api.internal.ApiMetrics;
import io.jobstream.api.internal.ApiProblem;
import io.jobstream.api.internal.JobRequests;
import io.jobstream.api.internal.Publishing;
import io.jobstream.runtime.http.Endpoint;
import io.jobstream.runtime.http.HttpProblem;
import io.jobstream.runtime.http.HttpRequest;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.runtime.http.Route;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * server's virtual threads; thread-safe. Endpoints of the runtime's HTTP seam: a valid bearer token is needed (the
 * seam answers 401). Job ids are per queue ({@link StatusScope}): a caller sees only jobs of queues its token has the
 * {@code status:read} scope for, {@code ?queue=} narrows to one, and a job it may not read is {@code 404
 * JOB_NOT_FOUND}, exactly as an unknown id, never a 403 naming another queue. Expected refusals are JSON errors
 * ({@code 404 JOB_NOT_FOUND}, {@code 409 AMBIGUOUS_JOB_ID}, {@code 503 STATUS_UNAVAILABLE}, {@code 503
 * OWNER_UNREACHABLE}).
 */
public final class StatusRoutes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusRoutes.class);

    /** The header naming the replica that answered. */
    public static final String SERVED_BY = "X-Jobstream-Served-By";
    /** The header a forwarding replica sets (its own address). */
    public static final String FORWARDED_BY = "X-Jobstream-Forwarded-By";

    static final String STATUS = "/v1/jobs/{id}";
    static final String EVENTS = "/v1/jobs/{id}/events";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final Lookup lookup;
    private final Duration forwardTimeout;
    private final ApiMetrics metrics;
    private final String self;
    private final ExecutorService forwarding = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private volatile boolean closed;

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
    public StatusRoutes(Lookup lookup, Duration forwardTimeout, ApiMetrics metrics, String self) {
        this.lookup = lookup;
        this.forwardTimeout = forwardTimeout;
        this.metrics = metrics;
        this.self = self;
        this.http = HttpClient.newBuilder()
                .connectTimeout(forwardTimeout)
                .executor(forwarding)
                .build();
    }

    /** {@code GET /v1/jobs/{id}} and {@code GET /v1/jobs/{id}/events}, for any valid token. */
    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.get(STATUS).to(measured(STATUS, false)),
                Endpoint.get(EVENTS).to(measured(EVENTS, true)));
    }

    private Route measured(String route, boolean events) {
        return request -> {
            long started = System.nanoTime();
            HttpResponse response;
            try {
                response = answer(request, events);
            } catch (HttpProblem problem) {
                response = HttpResponse.problem(problem).withHeader(SERVED_BY, self);
            }
            metrics.record(route, response.status(), System.nanoTime() - started);
            return response;
        };
    }

    private HttpResponse answer(HttpRequest request, boolean events) {
        if (closed) {
            throw unavailable("the job-status projection is stopping");
        }
        String id = request.pathParam("id");
        Predicate<String> readable = StatusScope.readable(request.principal(), request.query("queue"));
        return switch (lookup.lookup(id, readable)) {
            case JobStatusLookup.Found found -> {
                JobStatus job = found.status();
                if (!readable.test(job.queue())) {
                    // Never 403: that would confirm the id exists and name another queue.
                    throw StatusScope.notFound(id);
                }
                yield HttpResponse.json(200, events ? eventsJson(job) : statusJson(job))
                        .withHeader(SERVED_BY, self);
            }
            case JobStatusLookup.NotFound notFound -> throw StatusScope.notFound(notFound.id());
            case JobStatusLookup.Ambiguous ambiguous -> throw StatusScope.ambiguous(ambiguous);
            case JobStatusLookup.Elsewhere owner -> forward(request, owner, id, events);
            case JobStatusLookup.Unavailable unavailable -> throw unavailable(unavailable.reason());
        };
    }

    private HttpResponse forward(HttpRequest request, JobStatusLookup.Elsewhere owner, String id, boolean events) {
        Optional<String> forwardedBy = request.header(FORWARDED_BY);
        if (forwardedBy.isPresent()) {
            throw unavailable("the job's partition is moving between replicas (" + forwardedBy.get() + " sent it here, "
                    + owner.address() + " owns it now)");
        }
        String path = "/v1/jobs/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + (events ? "/events" : "")
                + request.query("queue")
                        .map(q -> "?queue=" + URLEncoder.encode(q, StandardCharsets.UTF_8))
                        .orElse("");
        URI target = URI.create("http://" + owner.address() + path);
        java.net.http.HttpRequest.Builder forwarded = java.net.http.HttpRequest.newBuilder(target)
                .timeout(forwardTimeout)
                .header(FORWARDED_BY, self);
        request.header("Authorization").ifPresent(authorization -> forwarded.header("Authorization", authorization));
        java.net.http.HttpResponse<byte[]> answer;
        try {
            answer = http.send(forwarded.GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
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
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : List.of("Retry-After", "WWW-Authenticate", SERVED_BY)) {
            answer.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
        }
        return new HttpResponse(
                answer.statusCode(),
                answer.headers().firstValue("Content-Type").orElse(HttpResponse.JSON),
                answer.body(),
                headers);
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

    /** The JSON of {@code GET /v1/jobs/{id}}. */
    public static ObjectNode statusJson(JobStatus job) {
        ObjectNode node = JobRequests.MAPPER.createObjectNode();
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
        ObjectNode node = JobRequests.MAPPER.createObjectNode();
        node.put("id", job.id());
        node.put("eventCount", job.eventCount());
        node.set("events", events(job));
        return node;
    }

    private static ArrayNode events(JobStatus job) {
        ArrayNode events = JobRequests.MAPPER.createArrayNode();
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
}

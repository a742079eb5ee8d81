package io.jobstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobstream jobs get ID}: a job's status from the API's job-status projection ({@code GET /v1/jobs/{id}}). */
@Command(
        name = "jobs",
        mixinStandardHelpOptions = true,
        description = "Look up jobs by id in the API's job-status projection.",
        subcommands = {JobsCommand.Get.class})
final class JobsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: get");
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = {
                "Show a job's state, attempts, last error and events, as the API's job-status projection knows it",
                "(any API replica answers: it asks the replica owning the job). The API must track the job's queue",
                "(jobstream.status.queues)."
            },
            footer = {
                "",
                "Examples:",
                "  jobstream jobs get 01JD2Y8Z3K4M5N6P7Q8R9S0TVW",
                "  jobstream jobs get 01JD2Y8Z3K4M5N6P7Q8R9S0TVW --api http://jobstream-api:9400 --json",
                "  jobstream jobs get order-7 --queue emails",
                "",
                "Exit codes: 0 found, 1 not found or the API could not answer (one line saying why), 2 usage."
            })
    static final class Get implements Callable<Integer> {
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final Duration TIMEOUT = Duration.ofSeconds(10);

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The job id.")
        String id;

        @Option(
                names = "--api",
                paramLabel = "URL",
                defaultValue = "${env:JOBSTREAM_API_URL:-http://localhost:8080}",
                description = "The API's base URL (default ${DEFAULT-VALUE}; env JOBSTREAM_API_URL).")
        String api;

        @Option(
                names = "--token",
                paramLabel = "TOKEN",
                defaultValue = "${env:JOBSTREAM_API_TOKEN}",
                description = "Bearer token, when the API requires one. A secret: prefer the env var"
                        + " JOBSTREAM_API_TOKEN (flags show in the process list).")
        String token;

        @Option(
                names = "--queue",
                paramLabel = "QUEUE",
                description = "The job's queue. Job ids are per queue: needed when the id is in several queues"
                        + " your token may read (the API answers 409 AMBIGUOUS_JOB_ID).")
        String queue;

        @Option(
                names = "--json",
                description = "One JSON object: id, queue, type, state, attempts, firstEnqueuedAt, lastUpdatedAt,"
                        + " lastError, eventCount, events.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            URI uri = uri();
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
            if (token != null && !token.isBlank()) {
                request.header("Authorization", "Bearer " + token.strip());
            }
            HttpResponse<String> response;
            try (HttpClient http =
                    HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException("the API at " + api + " is not reachable ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "); is `jobstream api` (or `jobstream dev`) running? Point --api at it.");
            }
            JsonNode body = parse(response);
            if (response.statusCode() != 200) {
                throw new IllegalStateException(failure(response.statusCode(), body));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(body));
            } else {
                print(out, body);
            }
            out.flush();
            return 0;
        }

        private URI uri() {
            String base = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
            try {
                URI uri = URI.create(base + "/v1/jobs/"
                        + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20")
                        + (queue == null ? "" : "?queue=" + URLEncoder.encode(queue, StandardCharsets.UTF_8)));
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--api must be a URL like http://localhost:8080, got '" + api + "'");
            }
        }

        private JsonNode parse(HttpResponse<String> response) {
            try {
                return JSON.readTree(response.body());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the API at " + api + " answered " + response.statusCode()
                        + " with something other than JSON; is --api the Jobstream API?");
            }
        }

        private String failure(int status, JsonNode body) {
            String message = body.path("message").asText("");
            String code = body.path("error").asText("HTTP_" + status);
            return switch (status) {
                case 404 ->
                    code.equals("JOB_NOT_FOUND")
                            ? message
                            : "the API at " + api + " serves no job status (404 " + code
                                    + "); set jobstream.status.queues on the API";
                case 401 -> "the API refused the request (" + message + "); pass --token or set JOBSTREAM_API_TOKEN";
                case 409 -> code + ": " + message + " (pass --queue)";
                default -> "the API answered " + status + " " + code + ": " + message;
            };
        }

        private static void print(PrintWriter out, JsonNode job) {
            out.printf("id          %s%n", job.path("id").asText());
            out.printf("state       %s%n", job.path("state").asText());
            out.printf("queue       %s%n", job.path("queue").asText());
            out.printf("type        %s%n", job.path("type").asText());
            out.printf("attempts    %d%n", job.path("attempts").asInt());
            out.printf("enqueued    %s%n", text(job.path("firstEnqueuedAt")));
            out.printf("updated     %s%n", text(job.path("lastUpdatedAt")));
            out.printf("last error  %s%n", text(job.path("lastError")));
            JsonNode events = job.path("events");
            long count = job.path("eventCount").asLong(events.size());
            out.printf(
                    "events      %d%s%n",
                    count, count > events.size() ? " (the last " + events.size() + " shown)" : "");
            for (JsonNode event : events) {
                StringBuilder line = new StringBuilder("  ")
                        .append(event.path("at").asText())
                        .append("  ")
                        .append(String.format("%-16s", event.path("state").asText()))
                        .append(" attempt ")
                        .append(event.path("attempt").asInt());
                if (!event.path("workerId").isNull() && !event.path("workerId").isMissingNode()) {
                    line.append("  ").append(event.path("workerId").asText());
                }
                if (!event.path("error").isNull() && !event.path("error").isMissingNode()) {
                    line.append("  ").append(event.path("error").asText());
                }
                out.println(line);
            }
        }

        private static String text(JsonNode node) {
            return node.isNull() || node.isMissingNode() ? "-" : node.asText();
        }
    }
}

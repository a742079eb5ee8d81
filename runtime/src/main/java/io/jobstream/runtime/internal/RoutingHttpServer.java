package io.jobstream.runtime.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.Endpoint;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.runtime.http.HttpProblem;
import io.jobstream.runtime.http.HttpRequest;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.runtime.http.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that speaks HTTP: it alone owns the JDK server and its {@link HttpExchange}s. For each request, in this
 * order: the header limit (431), the route by path and method (404, 405), the address's failed authentications (429),
 * the bearer token (401 with {@code WWW-Authenticate}, counted as a failure) and its scope for the path's queue (403),
 * the content type of a state-changing request (415), the body limit (413); then the {@link Endpoint}'s route. Every
 * error is the one problem body {@code {"error": CODE, "message": ...}}; a route that throws anything but an {@link
 * HttpProblem} is answered 500 with a generic body (the first such failure of a route is logged with its trace, later
 * ones counted), never the exception's text.
 *
 * <p>Requests run on virtual threads. Endpoints may be added while serving.
 */
public final class RoutingHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingHttpServer.class);
    private static final String CHALLENGE = "Bearer realm=\"jobstream\"";

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpConfig config;
    private final BearerTokens tokens;
    private final AuthFailures failures;
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final Map<Endpoint, AtomicLong> routeFailures = new ConcurrentHashMap<>();

    /** Binds {@code address}; call {@link #start()} once the first endpoints are added. */
    public RoutingHttpServer(InetSocketAddress address, HttpConfig config, LongSupplier nanoTime) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        this.tokens = new BearerTokens(config.tokens());
        this.failures = new AuthFailures(config.authFailureLimit(), config.authFailureWindow(), nanoTime);
        this.server = HttpServer.create(address, 0);
        this.executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("jobstream-http-", 0).factory());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Starts serving. */
    public void start() {
        server.start();
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Adds {@code endpoint}.
     *
     * @throws IllegalArgumentException when its method and path are taken, or it changes state without auth
     * @throws ConfigException when it changes state, auth is off and the server is reachable from other hosts
     */
    public void add(Endpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        for (Endpoint existing : endpoints) {
            if (existing.method().equals(endpoint.method()) && existing.path().equals(endpoint.path())) {
                throw new IllegalArgumentException(endpoint.method() + " " + endpoint.path() + " is already served");
            }
        }
        if (endpoint.changesState()) {
            switch (endpoint.access().kind()) {
                case OPEN ->
                    throw new IllegalArgumentException(endpoint.method() + " " + endpoint.path()
                            + " changes state and must be guarded by a token or a signature, not open");
                case TOKEN, SCOPE -> {
                    if (!config.authRequired()
                            && !server.getAddress().getAddress().isLoopbackAddress()) {
                        throw new ConfigException(HttpConfig.AUTH_REQUIRED.name() + " is false, but "
                                + endpoint.method() + " " + endpoint.path() + " changes state and would share "
                                + server.getAddress() + " with the unauthenticated /health, /ready and /metrics,"
                                + " reachable from other hosts: turn auth on (set " + HttpConfig.TOKENS.name()
                                + ") or bind jobstream.runtime.admin.host to 127.0.0.1");
                    }
                }
                case SIGNED -> {
                    // The route checks a signature over the body itself.
                }
            }
        }
        endpoints.add(endpoint);
    }

    /** Stops serving at once and ends the request threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            HttpResponse response;
            Endpoint endpoint = null;
            try {
                Match match = match(exchange);
                endpoint = match.endpoint();
                response = answer(exchange, match);
            } catch (MethodNotAllowed problem) {
                response = HttpResponse.problem(problem).withHeader("Allow", problem.allow);
            } catch (HttpProblem problem) {
                response = HttpResponse.problem(problem);
            } catch (Exception e) {
                response = internalError(exchange, endpoint, e);
            }
            if (response.status() == 401
                    && endpoint != null
                    && endpoint.access().needsToken()
                    && !response.headers().containsKey("WWW-Authenticate")) {
                response = response.withHeader("WWW-Authenticate", CHALLENGE);
            }
            write(exchange, response);
        } catch (IOException | RuntimeException e) {
            // The client is gone or the response was started; nothing more to say to it.
            LOG.debug("http outcome=write_failed error=\"{}\"", Failures.describe(e));
        }
    }

    private record Match(Endpoint endpoint, Map<String, String> params) {}

    private Match match(HttpExchange exchange) {
        long headerBytes = 0;
        for (Map.Entry<String, List<String>> header :
                exchange.getRequestHeaders().entrySet()) {
            for (String value : header.getValue()) {
                headerBytes += header.getKey().length() + value.length() + 4;
            }
        }
        if (headerBytes > config.maxHeaderSize()) {
            throw new HttpProblem(
                    431,
                    "HEADERS_TOO_LARGE",
                    "the request headers are larger than " + config.maxHeaderSize() + " bytes");
        }
        List<String> segments = segments(exchange.getRequestURI().getRawPath());
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String wanted = method.equals("HEAD") ? "GET" : method;
        Set<String> allowed = new LinkedHashSet<>();
        Match best = null;
        int bestLiterals = -1;
        for (Endpoint endpoint : endpoints) {
            Optional<Map<String, String>> params = bind(endpoint.segments(), segments);
            if (params.isEmpty()) {
                continue;
            }
            allowed.add(endpoint.method());
            int literals = (int)
                    endpoint.segments().stream().filter(s -> !s.startsWith("{")).count();
            if (endpoint.method().equals(wanted) && literals > bestLiterals) {
                best = new Match(endpoint, params.get());
                bestLiterals = literals;
            }
        }
        if (best != null) {
            return best;
        }
        if (allowed.isEmpty()) {
            throw HttpProblem.notFound(
                    "no route " + method + " " + exchange.getRequestURI().getRawPath());
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        throw new MethodNotAllowed(String.join(", ", allowed));
    }

    /** A 405; carries the {@code Allow} header's value. */
    private static final class MethodNotAllowed extends HttpProblem {
        private static final long serialVersionUID = 1L;
        private final String allow;

        MethodNotAllowed(String allow) {
            super(405, "METHOD_NOT_ALLOWED", "this route accepts " + allow);
            this.allow = allow;
        }
    }

    private HttpResponse answer(HttpExchange exchange, Match match) throws Exception {
        Endpoint endpoint = match.endpoint();
        String client = exchange.getRemoteAddress().getAddress().getHostAddress();
        Principal principal = authenticate(exchange, endpoint, match.params(), client);
        if (endpoint.changesState() && endpoint.jsonOnly() && !isJson(exchange)) {
            throw new HttpProblem(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    endpoint.method() + " " + endpoint.path() + " takes Content-Type: application/json");
        }
        byte[] body = readBody(exchange, endpoint.maxBodySize().orElse(config.maxBodySize()));
        HttpRequest request = new HttpRequest(
                exchange.getRequestMethod().toUpperCase(Locale.ROOT),
                exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(),
                exchange.getRequestHeaders(),
                body,
                match.params(),
                principal,
                client);
        return endpoint.route().handle(request);
    }

    private Principal authenticate(
            HttpExchange exchange, Endpoint endpoint, Map<String, String> params, String client) {
        if (!endpoint.access().needsToken()) {
            return Principal.anonymous();
        }
        if (!config.authRequired()) {
            return Principal.unrestricted();
        }
        Optional<Duration> refused = failures.refusedFor(client);
        if (refused.isPresent()) {
            throw new HttpProblem(
                    429,
                    "TOO_MANY_AUTH_FAILURES",
                    "too many failed authentications from this address; try again later",
                    refused);
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            failures.record(client);
            throw new HttpProblem(401, "UNAUTHORIZED", "send a token as Authorization: Bearer <token>");
        }
        Optional<AccessToken> token = tokens.find(header.substring(7).trim());
        if (token.isEmpty()) {
            failures.record(client);
            throw new HttpProblem(401, "UNAUTHORIZED", "the bearer token is not valid");
        }
        Principal principal = Principal.of(token.get());
        endpoint.access().scope().ifPresent(scope -> principal.require(scope, params.get("queue")));
        return principal;
    }

    private static boolean isJson(HttpExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null) {
            return false;
        }
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        return media.equalsIgnoreCase("application/json");
    }

    private static byte[] readBody(HttpExchange exchange, long limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw HttpProblem.badRequest("BAD_REQUEST", "Content-Length is not a number");
            }
            if (length > limit) {
                throw tooLarge(limit);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw tooLarge(limit);
            }
            return body;
        }
    }

    private static HttpProblem tooLarge(long limit) {
        return new HttpProblem(413, "PAYLOAD_TOO_LARGE", "the request body is larger than " + limit + " bytes");
    }

    private HttpResponse internalError(HttpExchange exchange, Endpoint endpoint, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String route = endpoint == null ? "-" : endpoint.method() + " " + endpoint.path();
        long n = endpoint == null
                ? 1
                : routeFailures.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
        if (n == 1) {
            LOG.warn("http route=\"{}\" outcome=error first_failure=true", route, e);
        } else {
            LOG.warn("http route=\"{}\" outcome=error failures={} error=\"{}\"", route, n, Failures.describe(e));
        }
        return HttpResponse.problem(500, "INTERNAL_ERROR", "the server could not answer this request");
    }

    private static void write(HttpExchange exchange, HttpResponse response) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", response.contentType());
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(headers::set);
        byte[] body = response.body();
        if (exchange.getRequestMethod().equalsIgnoreCase("HEAD") || body.length == 0) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        for (String raw : path.substring(1).split("/", -1)) {
            try {
                out.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw HttpProblem.badRequest("BAD_REQUEST", "the path is not valid URL encoding");
            }
        }
        return out;
    }

    private static Optional<Map<String, String>> bind(List<String> pattern, List<String> segments) {
        if (pattern.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            String s = segments.get(i);
            if (p.startsWith("{") && p.endsWith("}")) {
                if (s.isEmpty()) {
                    return Optional.empty();
                }
                params.put(p.substring(1, p.length() - 1), s);
            } else if (!p.equals(s)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }
}

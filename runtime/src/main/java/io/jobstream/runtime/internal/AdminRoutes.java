package io.jobstream.runtime.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.jobstream.runtime.CheckResult;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers behind {@code /health}, {@code /ready} and {@code /metrics}, and the guard every route
 * runs in: exact path for the built-in routes, GET/HEAD only, and a 500 (first failure logged with
 * its trace, later ones counted) instead of a dropped connection when a handler throws.
 */
public final class AdminRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    /** Prometheus text exposition format (what the registry writes by default). */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** OpenMetrics text format, served when the scraper asks for it. */
    public static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private AdminRoutes() {}

    /**
     * {@code /health}: {@code 200 {"status":"UP"}} while the process serves and every liveness check is up; {@code 503}
     * listing the checks (as {@code /ready} does) once one is down.
     */
    public static HttpHandler health(Callable<Map<String, CheckResult>> runChecks) {
        byte[] up = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            Map<String, CheckResult> results = call(runChecks);
            boolean allUp = results.values().stream().allMatch(CheckResult::isUp);
            send(exchange, allUp ? 200 : 503, JSON_TYPE, allUp ? up : readyJson(false, results));
        };
    }

    /** {@code /ready}: 200 when every check is up, else 503; the body lists each check. */
    public static HttpHandler ready(Callable<Map<String, CheckResult>> runChecks) {
        return exchange -> {
            Map<String, CheckResult> results = call(runChecks);
            boolean allUp = results.values().stream().allMatch(CheckResult::isUp);
            send(exchange, allUp ? 200 : 503, JSON_TYPE, readyJson(allUp, results));
        };
    }

    private static Map<String, CheckResult> call(Callable<Map<String, CheckResult>> runChecks) throws IOException {
        try {
            return runChecks.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running checks", e);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** The {@code /ready} body (and {@code /health}'s when a liveness check is down). */
    public static byte[] readyJson(boolean allUp, Map<String, CheckResult> results) throws JsonProcessingException {
        List<Map<String, String>> checks = new ArrayList<>();
        results.forEach((name, result) -> {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("name", name);
            switch (result) {
                case CheckResult.Up up -> entry.put("status", "UP");
                case CheckResult.Down down -> {
                    entry.put("status", "DOWN");
                    entry.put("reason", down.reason());
                }
            }
            checks.add(entry);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", allUp ? "UP" : "DOWN");
        body.put("checks", checks);
        return JSON.writeValueAsBytes(body);
    }

    /**
     * {@code /metrics}: Prometheus text format 0.0.4, or OpenMetrics when the {@code Accept} header
     * asks for {@code application/openmetrics-text}.
     */
    public static HttpHandler metrics(PrometheusMeterRegistry registry) {
        return exchange -> {
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            String contentType = accept != null && accept.contains("application/openmetrics-text")
                    ? OPENMETRICS_TEXT
                    : PROMETHEUS_TEXT;
            send(exchange, 200, contentType, registry.scrape(contentType).getBytes(StandardCharsets.UTF_8));
        };
    }

    /**
     * Wraps {@code handler}: built-in routes ({@code exactPath}) answer only their own path and only
     * GET/HEAD; every route gets a 500 instead of a dropped connection when it throws.
     */
    public static HttpHandler guarded(String path, boolean exactPath, HttpHandler handler) {
        AtomicLong failures = new AtomicLong();
        return exchange -> {
            try {
                if (exactPath && !exchange.getRequestURI().getPath().equals(path)) {
                    send(exchange, 404, JSON_TYPE, "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                String method = exchange.getRequestMethod();
                if (exactPath && !method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(
                            exchange,
                            405,
                            JSON_TYPE,
                            "{\"error\":\"method not allowed\"}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                long n = failures.incrementAndGet();
                if (n == 1) {
                    LOG.warn("admin route={} outcome=error first_failure=true", path, e);
                } else {
                    LOG.warn("admin route={} outcome=error failures={} error=\"{}\"", path, n, Failures.describe(e));
                }
                try {
                    send(exchange, 500, JSON_TYPE, "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException ignored) {
                    // The response was already started or the client is gone; nothing more to say.
                }
            } finally {
                exchange.close();
            }
        };
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}

package io.jobstream.runtime.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.runtime.http.Route;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The routes behind {@code /health}, {@code /ready} and {@code /metrics}. */
public final class AdminRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Prometheus text exposition format (what the registry writes by default). */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** OpenMetrics text format, served when the scraper asks for it. */
    public static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private AdminRoutes() {}

    /**
     * {@code /health}: {@code 200 {"status":"UP"}} while the process serves and every liveness check is up; {@code 503}
     * listing the checks (as {@code /ready} does) once one is down.
     */
    public static Route health(Callable<Map<String, CheckResult>> runChecks) {
        byte[] up = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
        return request -> {
            Map<String, CheckResult> results = runChecks.call();
            boolean allUp = results.values().stream().allMatch(CheckResult::isUp);
            return HttpResponse.of(allUp ? 200 : 503, HttpResponse.JSON, allUp ? up : readyJson(false, results));
        };
    }

    /** {@code /ready}: 200 when every check is up, else 503; the body lists each check. */
    public static Route ready(Callable<Map<String, CheckResult>> runChecks) {
        return request -> {
            Map<String, CheckResult> results = runChecks.call();
            boolean allUp = results.values().stream().allMatch(CheckResult::isUp);
            return HttpResponse.of(allUp ? 200 : 503, HttpResponse.JSON, readyJson(allUp, results));
        };
    }

    /** The last detail logged per check: a detail is logged when it changes, not on every probe. */
    private static final Map<String, String> LOGGED = new java.util.concurrent.ConcurrentHashMap<>();

    private static void logDetail(String check, CheckResult.Down down) {
        String said = down.reason() + "\n" + down.detail();
        if (!said.equals(LOGGED.put(check, said))) {
            LOG.warn(
                    "check_down name={} reason=\"{}\" detail=\"{}\"",
                    check,
                    down.reason().replaceAll("[\\p{Cntrl}]", "?"),
                    down.detail().replaceAll("[\\p{Cntrl}]", "?"));
        }
    }

    /**
     * The {@code /ready} body (and {@code /health}'s when a liveness check is down): each check's name, status and,
     * when down, its reason — never its detail (addresses, exception text), which is logged once per change.
     */
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
                    logDetail(name, down);
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
    public static Route metrics(PrometheusMeterRegistry registry) {
        return request -> {
            String accept = request.header("Accept").orElse("");
            String contentType = accept.contains("application/openmetrics-text") ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
            return HttpResponse.of(
                    200, contentType, registry.scrape(contentType).getBytes(StandardCharsets.UTF_8));
        };
    }
}

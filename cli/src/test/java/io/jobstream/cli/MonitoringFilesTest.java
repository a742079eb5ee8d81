package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jobstream.api.ApiMeters;
import io.jobstream.dlq.DlqMeters;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.producer.PublisherMeters;
import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterSpec;
import io.jobstream.scheduler.SchedulerMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard and Prometheus alert rules query only series the meter catalogues export, as the
 * Prometheus registry names them ({@code _total}, {@code _seconds}, {@code _bucket}...): a renamed or re-typed meter
 * fails here, not on an empty panel or an alert that never fires.
 */
class MonitoringFilesTest {
    private static final Path DASHBOARD = KubernetesManifests.ROOT.resolve("deploy/grafana/dashboards/jobstream.json");
    private static final Path ALERTS = KubernetesManifests.ROOT.resolve("deploy/prometheus/alerts.yml");
    private static final Pattern SERIES = Pattern.compile("\\bjobstream_[a-z0-9_]+");

    /** Every module's catalogue. */
    private static final List<MeterCatalogue> CATALOGUES = Stream.of(
                    ProcessorMeters.values(),
                    DlqMeters.values(),
                    ApiMeters.values(),
                    PublisherMeters.values(),
                    SchedulerMeters.values())
            .flatMap(Stream::of)
            .map(MeterCatalogue.class::cast)
            .toList();

    @Test
    void everySeriesTheDashboardQueriesIsExportedByACatalogue() throws IOException {
        // Given the dashboard's queries: every panel's targets and every template variable's query
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        collect(dashboard, List.of("expr", "definition"), queries);

        // When their jobstream_* series are looked up among the exported ones
        Set<String> used = series(queries);

        // Then each is exported, and the dashboard shows the API, lag status, oldest age, DLQ size, retries in flight
        assertThat(used).isNotEmpty().isSubsetOf(exportedSeries());
        assertThat(used)
                .contains(
                        "jobstream_api_requests_seconds_count",
                        "jobstream_api_requests_seconds_bucket",
                        "jobstream_consumer_status",
                        "jobstream_queue_oldest_age_seconds",
                        "jobstream_dlq_size",
                        "jobstream_delay_waiting");
    }

    @Test
    void theDashboardHasDatasourceAndQueueVariablesAndEveryPanelUsesTheDatasourceVariable() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> variables = new ArrayList<>();
        dashboard
                .path("templating")
                .path("list")
                .forEach(v -> variables.add(
                        v.path("name").asText() + ":" + v.path("type").asText()));
        assertThat(variables).containsExactly("datasource:datasource", "queue:query");
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        assertThat(panels)
                .filteredOn(p -> !p.path("type").asText().equals("row"))
                .isNotEmpty()
                .allSatisfy(panel -> {
                    assertThat(panel.path("datasource").path("uid").asText())
                            .as(panel.path("title").asText())
                            .isEqualTo("${datasource}");
                    panel.path("targets").forEach(target -> assertThat(
                                    target.path("datasource").path("uid").asText())
                            .as(panel.path("title").asText())
                            .isEqualTo("${datasource}"));
                });
        // every panel of a queue's series is filtered by the queue variable
        assertThat(panels)
                .flatExtracting(p -> {
                    List<String> exprs = new ArrayList<>();
                    p.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
                    return exprs;
                })
                .filteredOn(expr -> expr.contains("jobstream_queue_depth") || expr.contains("jobstream_dlq_size"))
                .allSatisfy(expr -> assertThat(expr).contains("queue=~\"$queue\""));
    }

    @Test
    void everySeriesTheAlertRulesQueryIsExportedByACatalogue() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
        List<String> queries = new ArrayList<>();
        collect(rules, List.of("expr"), queries);
        Set<String> used = series(queries);
        assertThat(used).isNotEmpty().isSubsetOf(exportedSeries());
    }

    @Test
    void aRenamedOrRetypedMetricIsNotExported() {
        // the check can fail: a counter without _total, a gauge given a unit it has not, a plural, a timer's bucket of
        // a meter without a histogram-capable type
        assertThat(exportedSeries())
                .contains("jobstream_dead_letters_total", "jobstream_job_duration_seconds_bucket")
                .doesNotContain(
                        "jobstream_dead_letters",
                        "jobstream_queue_depth_seconds",
                        "jobstream_queue_depths",
                        "jobstream_jobs_in_flight_bucket");
    }

    /**
     * The series names the catalogues' meters export: each entry registered, as its module does, in a Prometheus
     * registry (timers and distributions with histogram buckets), then scraped.
     */
    private static Set<String> exportedSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (MeterCatalogue entry : CATALOGUES) {
            MeterSpec spec = entry.spec();
            String[] tags =
                    spec.tagKeys().stream().flatMap(key -> Stream.of(key, "x")).toArray(String[]::new);
            switch (spec.type()) {
                case COUNTER -> entry.counter(tags).register(registry).increment();
                case GAUGE -> entry.gauge(registry, r -> 1.0, tags).register(registry);
                case TIMER -> entry.timer(tags).publishPercentileHistogram().register(registry);
                case DISTRIBUTION_SUMMARY ->
                    entry.summary(tags).publishPercentileHistogram().register(registry);
                default -> throw new IllegalStateException(spec.name() + ": " + spec.type());
            }
        }
        Set<String> names = new LinkedHashSet<>();
        registry.scrape()
                .lines()
                .filter(line -> line.startsWith("jobstream_"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        registry.close();
        return names;
    }

    private static Set<String> series(List<String> queries) {
        Set<String> used = new LinkedHashSet<>();
        for (String query : queries) {
            Matcher matcher = SERIES.matcher(query);
            while (matcher.find()) {
                used.add(matcher.group());
            }
        }
        return used;
    }

    /** Every text value of a field named one of {@code fields}, anywhere in {@code node}. */
    private static void collect(JsonNode node, List<String> fields, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if (fields.contains(field.getKey()) && field.getValue().isTextual()) {
                    out.add(field.getValue().asText());
                } else {
                    collect(field.getValue(), fields, out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, fields, out));
        }
    }
}

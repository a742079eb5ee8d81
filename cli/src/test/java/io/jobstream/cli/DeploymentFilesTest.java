package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.ConfigType;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.scheduler.SchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The deployment files (docker-compose.yml, deploy/swarm, deploy/k8s, Prometheus, Grafana) cannot be run here (no
 * Docker engine), so their structure is checked against the real CLI: every command line parses with the picocli
 * command classes, every {@code JOBSTREAM_*} env var is a known config key, every health check and scrape target
 * points at the port the role really serves its admin endpoint on.
 */
class DeploymentFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = KubernetesManifests.ROOT;
    private static final Set<String> SERVICE_ROLES = Set.of("api", "worker", "dlq-service", "scheduler");
    private static final Set<String> JOBSTREAM_SERVICES = Set.of("topics", "api", "worker", "dlq-service", "scheduler");
    private static final Map<String, String> INFRASTRUCTURE = Map.of(
            "kafka", "apache/kafka:",
            "schema-registry", "confluentinc/cp-schema-registry:",
            "dragonfly", "docker.dragonflydb.io/dragonflydb/dragonfly:",
            "prometheus", "prom/prometheus:",
            "grafana", "grafana/grafana:");
    private static final Pattern METRIC = Pattern.compile("\\bjobstream_[a-z_]+");

    @Test
    void composeRunsEveryRoleFromTheOneImageWithValidCommandsAndEnv() throws IOException {
        // Given
        JsonNode services =
                YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");

        // Then
        assertInfrastructure(services);
        Set<String> jobstream = jobstreamServices(services);
        assertThat(jobstream).containsExactlyInAnyOrderElementsOf(JOBSTREAM_SERVICES);
        for (String name : jobstream) {
            JsonNode service = services.path(name);
            assertThat(service.path("build").asText())
                    .as("%s builds the repo's Dockerfile", name)
                    .isEqualTo(".");
            assertThat(service.path("image").asText()).as("%s: one image", name).isEqualTo("jobstream:local");
            assertValidService("compose " + name, service);
        }
        assertThat(commandOf(services.path("topics")))
                .containsSequence("topics", "create", "--queue", "jobs", "--partitions", "12", "--replication", "1");
        assertThat(services.path("worker").path("deploy").path("replicas").asInt())
                .isEqualTo(2);
    }

    @Test
    void theApiEnvironmentOfComposeAndSwarmLoadsIntoAValidApiConfig() throws IOException {
        for (String file : List.of("docker-compose.yml", "deploy/swarm/docker-stack.yml")) {
            // Given the api service's environment as an operator deploys it (asDeployed)
            JsonNode api =
                    YAML.readTree(ROOT.resolve(file).toFile()).path("services").path("api");
            Map<String, String> env = new LinkedHashMap<>();
            env(api).forEach((name, value) -> env.put(name, asDeployed(value)));

            // When loaded as the api loads it, Then the API and job-status settings are valid (e.g. token length)
            io.jobstream.runtime.Config config = io.jobstream.runtime.ConfigLoader.forDefinition(
                            ApiCommand.DEFINITION.and(io.jobstream.runtime.KafkaSettings.DEFINITION))
                    .withEnvironment(env)
                    .load();
            assertThat(io.jobstream.api.IngestApiConfig.from(config).toString())
                    .as(file)
                    .isNotBlank();
            assertThat(io.jobstream.api.JobStatusConfig.from(config).enabled())
                    .as("%s: job status on", file)
                    .isTrue();
        }
    }

    @Test
    void composeStartsServicesInOrderAndChecksTheirHealth() throws IOException {
        // Given
        JsonNode services =
                YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");

        // Then every dependency exists with a condition, and the roles wait for the topics
        services.properties().forEach(entry -> entry.getValue()
                .path("depends_on")
                .properties()
                .forEach(dependency -> {
                    assertThat(services.has(dependency.getKey()))
                            .as("%s depends on %s", entry.getKey(), dependency.getKey())
                            .isTrue();
                    assertThat(dependency.getValue().path("condition").asText())
                            .as("%s -> %s", entry.getKey(), dependency.getKey())
                            .isIn("service_started", "service_healthy", "service_completed_successfully");
                    if (dependency.getValue().path("condition").asText().equals("service_healthy")) {
                        assertThat(services.path(dependency.getKey()).has("healthcheck"))
                                .as("%s waits for %s to be healthy", entry.getKey(), dependency.getKey())
                                .isTrue();
                    }
                }));
        for (String role : SERVICE_ROLES) {
            assertThat(services.path(role)
                            .path("depends_on")
                            .path("topics")
                            .path("condition")
                            .asText())
                    .as("%s waits for the topics", role)
                    .isEqualTo("service_completed_successfully");
        }
        assertThat(services.path("scheduler").path("depends_on").has("dragonfly"))
                .isTrue();
    }

    @Test
    void composeMountsFilesThatExistAndTheSchedulerConfigLoads() throws IOException {
        // Given
        JsonNode services =
                YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");

        // Then every bind-mounted file is in the repo
        services.properties().forEach(entry -> {
            for (JsonNode volume : entry.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(ROOT.resolve(source))
                            .as("%s mounts %s", entry.getKey(), source)
                            .exists();
                }
            }
        });
        // and the scheduler reads the mounted schedules
        JsonNode scheduler = services.path("scheduler");
        String configPath = optionValue(commandOf(scheduler), "--config").orElseThrow();
        String mounted = null;
        for (JsonNode volume : scheduler.path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts[1].equals(configPath)) {
                mounted = parts[0];
            }
        }
        assertThat(mounted).as("the scheduler's --config file is mounted").isNotNull();
        assertSchedulerConfigLoads(Files.readString(ROOT.resolve(mounted)));
        assertThat(env(scheduler)).containsEntry("JOBSTREAM_COORDINATION_REDIS_URI", "redis://dragonfly:6379");
    }

    @Test
    void swarmStackHasTheSameServicesWithReplicasAndRestartPolicies() throws IOException {
        // Given
        Path stackFile = ROOT.resolve("deploy/swarm/docker-stack.yml");
        JsonNode stack = YAML.readTree(stackFile.toFile());
        JsonNode services = stack.path("services");
        JsonNode compose =
                YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");

        // Then
        assertInfrastructure(services);
        assertThat(fieldNames(services)).containsExactlyInAnyOrderElementsOf(fieldNames(compose));
        Set<String> jobstream = jobstreamServices(services);
        assertThat(jobstream).containsExactlyInAnyOrderElementsOf(JOBSTREAM_SERVICES);
        services.properties().forEach(entry -> {
            JsonNode service = entry.getValue();
            assertThat(service.has("build"))
                    .as("swarm does not build: %s", entry.getKey())
                    .isFalse();
            assertThat(service.path("deploy").path("replicas").isInt())
                    .as("%s has deploy.replicas", entry.getKey())
                    .isTrue();
            assertThat(service.path("deploy")
                            .path("restart_policy")
                            .path("condition")
                            .asText())
                    .as("%s has a restart policy", entry.getKey())
                    .isIn("any", "on-failure");
        });
        for (String name : jobstream) {
            assertValidService("swarm " + name, services.path(name));
            assertThat(commandOf(services.path(name)))
                    .as("swarm %s runs what compose runs", name)
                    .isEqualTo(commandOf(compose.path(name)));
        }
        assertThat(services.path("worker").path("deploy").path("replicas").asInt())
                .isEqualTo(2);
        assertThat(services.path("topics")
                        .path("deploy")
                        .path("restart_policy")
                        .path("condition")
                        .asText())
                .as("the one-shot topics service is not restarted once done")
                .isEqualTo("on-failure");
        stack.path("configs").properties().forEach(config -> assertThat(stackFile
                        .getParent()
                        .resolve(config.getValue().path("file").asText()))
                .as("swarm config %s", config.getKey())
                .exists());
    }

    @Test
    void swarmPinsEveryServiceWithAVolumeToItsNodeAndPublishesOnlyTheApi() throws IOException {
        // Given
        JsonNode services = YAML.readTree(
                        ROOT.resolve("deploy/swarm/docker-stack.yml").toFile())
                .path("services");

        // Then every service keeping data in a named volume is pinned by a node label: its volume is on that node
        Set<String> stateful = new HashSet<>();
        services.properties().forEach(entry -> {
            boolean namedVolume = stream(entry.getValue().path("volumes"))
                    .map(JsonNode::asText)
                    .anyMatch(volume -> !volume.startsWith("/") && !volume.startsWith("."));
            if (namedVolume) {
                stateful.add(entry.getKey());
                assertThat(strings(entry.getValue()
                                .path("deploy")
                                .path("placement")
                                .path("constraints")))
                        .as("%s keeps a volume: a placement constraint on a node label", entry.getKey())
                        .anyMatch(constraint -> constraint.matches("node\\.labels\\.[a-z0-9.-]+ == true"));
            }
        });
        assertThat(stateful).containsExactlyInAnyOrder("kafka", "dragonfly", "prometheus");

        // And only the API is published: swarm's routing mesh listens on every interface of every node whatever
        // address is given (a 127.0.0.1 prefix is ignored), so unauthenticated tools such as Prometheus are not
        List<String> published = new ArrayList<>();
        services.properties().forEach(entry -> {
            if (!entry.getValue().path("ports").isEmpty()) {
                published.add(entry.getKey());
            }
        });
        assertThat(published).containsExactly("api");
    }

    @Test
    void prometheusScrapesEveryRoleOnItsAdminPort() throws IOException {
        // Given
        JsonNode prometheus =
                YAML.readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile());
        Set<String> targets = new HashSet<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            String path = job.path("metrics_path").asText("/metrics");
            assertThat(path).isEqualTo("/metrics");
            for (JsonNode staticConfig : job.path("static_configs")) {
                staticConfig.path("targets").forEach(target -> targets.add(target.asText()));
            }
            for (JsonNode dns : job.path("dns_sd_configs")) {
                dns.path("names")
                        .forEach(name -> targets.add(
                                name.asText() + ":" + dns.path("port").asInt()));
            }
        }

        // Then
        for (String file : List.of("docker-compose.yml", "deploy/swarm/docker-stack.yml")) {
            JsonNode services = YAML.readTree(ROOT.resolve(file).toFile()).path("services");
            for (String role : SERVICE_ROLES) {
                assertThat(targets)
                        .as("%s: Prometheus scrapes %s", file, role)
                        .contains(role + ":" + adminPort(services.path(role)));
            }
        }
    }

    @Test
    void grafanaIsProvisionedWithADashboardOfDocumentedMetrics() throws IOException {
        // Given
        JsonNode datasources = YAML.readTree(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml")
                .toFile());
        JsonNode dashboard = JSON.readTree(
                ROOT.resolve("deploy/grafana/dashboards/jobstream.json").toFile());

        // Then
        assertThat(datasources.path("datasources").get(0).path("url").asText()).isEqualTo("http://prometheus:9090");
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets")
                .forEach(t -> expressions.add(t.path("expr").asText())));
        assertThat(expressions).isNotEmpty();
        expressions.forEach(DeploymentFilesTest::assertOnlyDocumentedMetrics);
    }

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void kubernetesDeploymentsRunValidCommandsWithProbes(String kustomization) throws IOException {
        // Given the kustomization, rendered
        List<JsonNode> documents = kubernetesDocuments(kustomization);
        Map<String, JsonNode> byKindAndName = new LinkedHashMap<>();
        documents.forEach(document -> byKindAndName.put(
                document.path("kind").asText() + "/"
                        + document.path("metadata").path("name").asText(),
                document));

        // Then
        Set<String> roles = new HashSet<>();
        for (JsonNode document : documents) {
            String kind = document.path("kind").asText();
            if (!kind.equals("Deployment") && !kind.equals("Job")) {
                continue;
            }
            String name = document.path("metadata").path("name").asText();
            JsonNode pod = document.path("spec").path("template");
            if (kind.equals("Deployment")) {
                JsonNode labels = pod.path("metadata").path("labels");
                document.path("spec")
                        .path("selector")
                        .path("matchLabels")
                        .properties()
                        .forEach(label -> assertThat(labels.path(label.getKey()))
                                .as("%s's pods carry its selector's label %s", name, label.getKey())
                                .isEqualTo(label.getValue()));
            }
            for (JsonNode container : pod.path("spec").path("containers")) {
                List<String> args = strings(container.path("args"));
                String role = assertParses("k8s " + name, args);
                roles.add(role);
                assertThat(container.path("image").asText())
                        .as("%s: the one image", name)
                        .matches("([a-z0-9.-]+(:[0-9]+)?/)*jobstream:[A-Za-z0-9._-]+");
                for (JsonNode env : container.path("env")) {
                    assertKnownEnvVar("k8s " + name, env.path("name").asText());
                }
                for (JsonNode from : container.path("envFrom")) {
                    String ref = from.has("configMapRef")
                            ? "ConfigMap/"
                                    + from.path("configMapRef").path("name").asText()
                            : "Secret/" + from.path("secretRef").path("name").asText();
                    assertThat(byKindAndName).as("%s reads %s", name, ref).containsKey(ref);
                    byKindAndName
                            .get(ref)
                            .path(ref.startsWith("ConfigMap") ? "data" : "stringData")
                            .fieldNames()
                            .forEachRemaining(var -> assertKnownEnvVar(ref, var));
                }
                if (SERVICE_ROLES.contains(role)) {
                    assertProbes(
                            name,
                            container,
                            role.equals("api") ? 8080 : kubernetesAdminPort(container, args, byKindAndName));
                }
            }
        }
        assertThat(roles).containsAll(SERVICE_ROLES);
        assertThat(roles).contains("topics");

        JsonNode apiService = byKindAndName.get("Service/jobstream-api");
        assertThat(apiService).as("a Service for the API").isNotNull();
        assertThat(apiService.path("spec").path("selector"))
                .isEqualTo(byKindAndName
                        .get("Deployment/jobstream-api")
                        .path("spec")
                        .path("selector")
                        .path("matchLabels"));

        JsonNode schedules = byKindAndName.get("ConfigMap/jobstream-scheduler");
        assertSchedulerConfigLoads(schedules.path("data").path("scheduler.yaml").asText());
    }

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void networkPoliciesCoverEveryServiceAndKeepTheDeadLetterRoutesFromOtherPods(String kustomization)
            throws IOException {
        // Given the kustomization, rendered
        List<JsonNode> documents = kubernetesDocuments(kustomization);
        List<JsonNode> policies = documents.stream()
                .filter(d -> d.path("kind").asText().equals("NetworkPolicy"))
                .toList();
        assertThat(policies).as("deploy/k8s has NetworkPolicies").isNotEmpty();

        // Then every service Deployment's pods are selected by a policy that admits its port
        for (JsonNode deployment : documents) {
            if (!deployment.path("kind").asText().equals("Deployment")) {
                continue;
            }
            String name = deployment.path("metadata").path("name").asText();
            JsonNode labels =
                    deployment.path("spec").path("template").path("metadata").path("labels");
            JsonNode container = deployment
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0);
            int port = container.path("ports").get(0).path("containerPort").asInt();
            List<JsonNode> selecting = policies.stream()
                    .filter(policy -> selects(policy.path("spec").path("podSelector"), labels))
                    .toList();
            assertThat(selecting).as("a NetworkPolicy selects %s's pods", name).hasSize(1);
            JsonNode ingress = selecting.getFirst().path("spec").path("ingress");
            assertThat(ingress).as("%s admits ingress", name).isNotEmpty();
            for (JsonNode rule : ingress) {
                assertThat(rule.path("ports").findValues("port").stream()
                                .map(JsonNode::asText)
                                .toList())
                        .as("%s's policy admits only its port", name)
                        .containsExactly(String.valueOf(port));
                if (!name.equals("jobstream-api")) {
                    // Probes and metrics are open, and the dlq-service's port replays dead letters: never allow-all
                    assertThat(rule.path("from"))
                            .as("%s's policy names who may connect", name)
                            .isNotEmpty();
                }
            }
        }
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        boolean matches = true;
        for (var label : selector.path("matchLabels").properties()) {
            matches &= labels.path(label.getKey()).equals(label.getValue());
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = labels.path(expression.path("key").asText()).asText(null);
            boolean in = value != null && strings(expression.path("values")).contains(value);
            matches &= expression.path("operator").asText().equals("In") == in;
        }
        return matches && (selector.has("matchLabels") || selector.has("matchExpressions"));
    }

    @Test
    void dockerfileBuildsEveryModuleAndRunsTheJarAsNonRoot() throws IOException {
        // Given
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
        List<String> modules = new ArrayList<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        while (module.find()) {
            modules.add(module.group(1));
        }

        // Then the build stage sees every module of the reactor
        assertThat(modules).isNotEmpty();
        for (String name : modules) {
            assertThat(dockerfile)
                    .as("the Dockerfile copies module %s", name)
                    .contains("COPY " + name + "/ " + name + "/");
            assertThat(ignored).as(".dockerignore keeps module %s", name).doesNotContain(name, name + "/");
        }
        assertThat(dockerfile)
                .contains("FROM maven:3.9-eclipse-temurin-21 AS build")
                .contains("./mvnw -B -q package -DskipTests -pl cli -am")
                .contains("FROM eclipse-temurin:21-jre")
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/jobstream.jar\"]")
                .contains("CMD [\"--help\"]")
                .contains("EXPOSE 8080");
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertThat(user.find()).as("the image runs as a named user").isTrue();
        assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0");
    }

    // ---- checks

    private static void assertInfrastructure(JsonNode services) {
        INFRASTRUCTURE.forEach(
                (name, image) -> assertThat(services.path(name).path("image").asText())
                        .as("infrastructure service %s", name)
                        .startsWith(image));
    }

    private static void assertValidService(String where, JsonNode service) {
        List<String> command = commandOf(service);
        String role = assertParses(where, command);
        Map<String, String> env = env(service);
        assertThat(env).as(where).containsKey("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS");
        env.keySet().forEach(var -> assertKnownEnvVar(where, var));
        if (SERVICE_ROLES.contains(role)) {
            String healthcheck =
                    String.join(" ", strings(service.path("healthcheck").path("test")));
            assertThat(healthcheck)
                    .as("%s checks /health on its admin port", where)
                    .contains("http://localhost:" + adminPort(service) + "/health");
        }
    }

    /** Parses {@code args} with the real command classes; returns the subcommand's name. */
    private static String assertParses(String where, List<String> args) {
        assertThat(args).as("%s has a command", where).isNotEmpty();
        CommandLine commandLine = Jobstream.commandLine(
                new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertThat(commandLine.getSubcommands()).as(where).containsKey(args.getFirst());
        assertThatCode(() -> commandLine.parseArgs(args.toArray(String[]::new)))
                .as("%s: %s parses", where, args)
                .doesNotThrowAnyException();
        ParseResult result = commandLine.parseArgs(args.toArray(String[]::new));
        assertThat(result.subcommand()).as(where).isNotNull();
        assertThat(result.subcommand().isUsageHelpRequested()).isFalse();
        return result.subcommand().commandSpec().name();
    }

    private static void assertKnownEnvVar(String where, String var) {
        if (!var.startsWith("JOBSTREAM_")) {
            return;
        }
        Set<String> known = new HashSet<>(Set.of("JOBSTREAM_COORDINATION_REDIS_URI"));
        List<String> prefixes =
                new ArrayList<>(List.of("JOBSTREAM_SCHEDULER_SCHEDULES_", "JOBSTREAM_KAFKA_PROPERTIES_"));
        for (ConfigKey<?> key : ConfigReference.ALL.keys()) {
            known.add(key.envVar());
            if (key.type().equals(ConfigType.MAP)) {
                prefixes.add(key.envVar() + "_");
            }
        }
        boolean mapEntry = prefixes.stream().anyMatch(p -> var.startsWith(p) && var.length() > p.length());
        assertThat(known.contains(var) || mapEntry)
                .as("%s sets %s, which is no config key's env var", where, var)
                .isTrue();
    }

    private static void assertProbes(String where, JsonNode container, int adminPort) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        container
                .path("ports")
                .forEach(p -> ports.put(
                        p.path("name").asText(), p.path("containerPort").asInt()));
        for (var probe : Map.of("readinessProbe", "/ready", "livenessProbe", "/health", "startupProbe", "/health")
                .entrySet()) {
            JsonNode get = container.path(probe.getKey()).path("httpGet");
            assertThat(get.path("path").asText())
                    .as("%s %s", where, probe.getKey())
                    .isEqualTo(probe.getValue());
            JsonNode port = get.path("port");
            int number = port.isInt() ? port.asInt() : ports.getOrDefault(port.asText(), -1);
            assertThat(number)
                    .as("%s %s probes the admin port", where, probe.getKey())
                    .isEqualTo(adminPort);
        }
    }

    private static void assertSchedulerConfigLoads(String yaml) {
        Config config = ConfigLoader.forDefinition(SchedulerCommand.DEFINITION)
                .withYaml(yaml)
                .withEnvironment(Map.of("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"))
                .load();
        assertThat(SchedulerConfig.from(config).schedules()).isNotEmpty();
    }

    @Test
    void theAlertRulesPassPromtoolsCheckAndTheirUnitTestsAndUseDocumentedMetrics() throws Exception {
        // Given the shipped rules and their unit tests, loaded by the shipped Prometheus config
        Path rules = ROOT.resolve("deploy/prometheus/alerts.yml");
        assertThat(Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml")))
                .contains("/etc/prometheus/alerts.yml");

        // When promtool (Debian's prometheus package; .ci/run installs it) checks them and runs the tests
        String check = promtool("check", "rules", rules.toString());
        String tests = promtool(
                "test",
                "rules",
                ROOT.resolve("deploy/prometheus/alerts.test.yml").toString());

        // Then both pass, and every rule's expression reads a documented Jobstream metric (or Prometheus's up)
        assertThat(check).contains("SUCCESS: 8 rules found");
        assertThat(tests).contains("SUCCESS");
        JsonNode groups = YAML.readTree(rules.toFile()).path("groups");
        List<String> alerts = new java.util.ArrayList<>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                alerts.add(rule.path("alert").asText());
                String expr = rule.path("expr").asText();
                if (!expr.contains("up{job=")) {
                    assertOnlyDocumentedMetrics(expr);
                }
                assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
            }
        }
        // And every alert has a unit test of its own
        String testFile = Files.readString(ROOT.resolve("deploy/prometheus/alerts.test.yml"));
        assertThat(alerts).allSatisfy(alert -> assertThat(testFile).contains("alertname: " + alert));
    }

    /** Runs promtool with {@code args}; its output, failing the test when it exits non-zero. */
    private static String promtool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                .as("promtool ends")
                .isTrue();
        assertThat(process.exitValue())
                .as("promtool %s:%n%s", String.join(" ", args), output)
                .isZero();
        return output;
    }

    /** Every {@code jobstream_*} series in a PromQL expression is a metric of the README's Metrics table. */
    private static void assertOnlyDocumentedMetrics(String expression) {
        Set<String> documented = documentedMetrics();
        Matcher matcher = METRIC.matcher(expression);
        boolean any = false;
        while (matcher.find()) {
            any = true;
            String series = matcher.group();
            String base = series.replaceFirst("_(bucket|count|sum|max)$", "");
            boolean known = Stream.of(base, base.replaceFirst("_total$", ""), base.replaceFirst("_seconds$", ""))
                    .anyMatch(documented::contains);
            assertThat(known)
                    .as("%s in %s is in the README's Metrics table", series, expression)
                    .isTrue();
        }
        assertThat(any).as("%s uses a jobstream metric", expression).isTrue();
    }

    private static Set<String> documentedMetrics() {
        try {
            String readme = Files.readString(ROOT.resolve("README.md"));
            String table = readme.substring(readme.indexOf("## Metrics"), readme.indexOf("## Modules"));
            Set<String> names = new HashSet<>();
            Matcher row = Pattern.compile("(?m)^\\| (.+?) \\| ").matcher(table);
            while (row.find()) {
                String last = null;
                Matcher code = Pattern.compile("`([^`]+)`").matcher(row.group(1));
                while (code.find()) {
                    String name = code.group(1);
                    // `jobstream.alerts.sent` / `.suppressed`: a suffix replaces the last part
                    if (name.startsWith(".") && last != null) {
                        name = last.substring(0, last.lastIndexOf('.')) + name;
                    }
                    last = name;
                    names.add(name.replace('.', '_').replace('-', '_'));
                }
            }
            return names;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---- reading the files

    private static Set<String> jobstreamServices(JsonNode services) {
        Set<String> names = new HashSet<>();
        services.properties().forEach(entry -> {
            String image = entry.getValue().path("image").asText();
            if (entry.getValue().has("build") || image.startsWith("jobstream:") || image.contains("JOBSTREAM_IMAGE")) {
                names.add(entry.getKey());
            }
        });
        return names;
    }

    private static List<String> commandOf(JsonNode service) {
        JsonNode command = service.path("command");
        return command.isTextual() ? List.of(command.asText().trim().split("\\s+")) : strings(command);
    }

    private static Map<String, String> env(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode environment = service.path("environment");
        if (environment.isArray()) {
            environment.forEach(e -> {
                String[] parts = e.asText().split("=", 2);
                env.put(parts[0], parts.length > 1 ? parts[1] : "");
            });
        } else {
            environment
                    .properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        return env;
    }

    /** The port a compose/swarm service serves /health and /metrics on: flag, else env var, else the default. */
    private static int adminPort(JsonNode service) {
        List<String> command = commandOf(service);
        Optional<String> flag = command.getFirst().equals("api")
                ? optionValue(command, "--port")
                : optionValue(command, "--admin-port");
        return Integer.parseInt(flag.or(() -> Optional.ofNullable(env(service).get(RuntimeConfig.ADMIN_PORT.envVar())))
                .orElse(String.valueOf(RuntimeConfig.ADMIN_PORT.defaultValue().orElseThrow())));
    }

    private static int kubernetesAdminPort(JsonNode container, List<String> args, Map<String, JsonNode> byKindAndName) {
        Optional<String> flag = optionValue(args, "--admin-port");
        if (flag.isPresent()) {
            return Integer.parseInt(flag.get());
        }
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals(RuntimeConfig.ADMIN_PORT.envVar())) {
                return env.path("value").asInt();
            }
        }
        for (JsonNode from : container.path("envFrom")) {
            JsonNode configMap = byKindAndName.get(
                    "ConfigMap/" + from.path("configMapRef").path("name").asText());
            if (configMap != null && configMap.path("data").has(RuntimeConfig.ADMIN_PORT.envVar())) {
                return configMap
                        .path("data")
                        .path(RuntimeConfig.ADMIN_PORT.envVar())
                        .asInt();
            }
        }
        return RuntimeConfig.ADMIN_PORT.defaultValue().orElseThrow();
    }

    private static Optional<String> optionValue(List<String> args, String option) {
        int index = args.indexOf(option);
        return index >= 0 && index + 1 < args.size() ? Optional.of(args.get(index + 1)) : Optional.empty();
    }

    /** The documents of {@code deploy/k8s/<kustomization>} as kustomize renders them ({@link KubernetesManifests}). */
    private static List<JsonNode> kubernetesDocuments(String kustomization) throws IOException {
        List<JsonNode> documents = new ArrayList<>(KubernetesManifests.render(kustomization));
        assertThat(documents).as(kustomization).isNotEmpty();
        documents.forEach(document -> assertThat(document.path("apiVersion").asText())
                .as(kustomization)
                .isNotEmpty());
        return documents;
    }

    private static List<String> strings(JsonNode array) {
        return stream(array).map(JsonNode::asText).toList();
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items.stream();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A secret an operator sets where a deployment file requires one (${VAR:?...}) or ships a placeholder. */
    static final String OPERATOR_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    /**
     * {@code value} from a deployment file as an operator deploys it: {@code ${VAR:-default}} taken at its default,
     * a required {@code ${VAR:?message}} and a shipped placeholder secret replaced by {@link #OPERATOR_SECRET}.
     */
    static String asDeployed(String value) {
        String resolved = value.replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")
                .replaceAll("\\$\\{[A-Z_]+:\\?[^}]*}", OPERATOR_SECRET);
        return io.jobstream.runtime.Password.of(resolved).isPlaceholder() ? OPERATOR_SECRET : resolved;
    }

    @Test
    void noShippedSecretHasAUsableDefaultAndComposePublishesOnLoopbackOnly() throws IOException {
        for (String file : List.of("docker-compose.yml", "deploy/swarm/docker-stack.yml")) {
            JsonNode services = YAML.readTree(ROOT.resolve(file).toFile()).path("services");
            // Then the API token and Grafana's admin password must be set by the operator: no default to fall back to
            String token = services.path("api")
                    .path("environment")
                    .path("JOBSTREAM_RUNTIME_HTTP_TOKENS_DEMO_TOKEN")
                    .asText();
            assertThat(token).as(file).startsWith("${JOBSTREAM_API_TOKEN:?");
            String grafana = services.path("grafana")
                    .path("environment")
                    .path("GF_SECURITY_ADMIN_PASSWORD")
                    .asText();
            assertThat(grafana).as(file).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
        }
        // And every port compose publishes binds 127.0.0.1
        JsonNode compose =
                YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");
        List<String> published = new java.util.ArrayList<>();
        compose.properties()
                .forEach(service -> service.getValue().path("ports").forEach(p -> published.add(p.asText())));
        assertThat(published).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("127.0.0.1:"));
    }

    @Test
    void theApiRefusesToStartWithTheKubernetesPlaceholderToken() throws IOException {
        // Given the token Secret shipped in deploy/k8s/base/api.yaml, not edited
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode document : YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(ROOT.resolve("deploy/k8s/base/api.yaml").toFile())
                .readAll()) {
            if (document.path("kind").asText().equals("Secret")) {
                document.path("stringData")
                        .properties()
                        .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
            }
        }
        assertThat(env).containsKey("JOBSTREAM_RUNTIME_HTTP_TOKENS_DEMO_TOKEN");
        env.put("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");

        // When the api loads it, then it refuses, naming the key and not the value
        io.jobstream.runtime.Config config = io.jobstream.runtime.ConfigLoader.forDefinition(
                        ApiCommand.DEFINITION.and(io.jobstream.runtime.KafkaSettings.DEFINITION))
                .withEnvironment(env)
                .load();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.jobstream.runtime.http.HttpConfig.from(config))
                .isInstanceOf(io.jobstream.runtime.ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.tokens.demo.token is a placeholder")
                .hasMessageNotContaining(env.get("JOBSTREAM_RUNTIME_HTTP_TOKENS_DEMO_TOKEN"));
    }
}

package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecoder;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.SchemaRegistryServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.ParseResult;

/**
 * The shipped stacks (docker-compose.yml, deploy/swarm/docker-stack.yml, deploy/k8s/overlays/prod) cannot run here (no Docker
 * engine), so each role's environment from each file is loaded into that role's real configuration, and what one
 * role writes is decoded with another role's configuration, against an in-process schema registry standing in for
 * the stack's {@code schema-registry} service.
 */
class DeploymentWireFormatsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = KubernetesManifests.ROOT;
    private static final String STACK_REGISTRY = "http://schema-registry:8081";
    private static final String QUEUE = "jobs";

    /** Each role: its definition (as its command loads it) and the serde settings it encodes and decodes with. */
    private enum Role {
        API(ApiCommand.DEFINITION, config -> PublisherConfig.from(config).serde()),
        SCHEDULER(SchedulerCommand.DEFINITION, config -> PublisherConfig.from(config)
                .serde()),
        WORKER(WorkerCommand.DEFINITION, config -> ProcessorConfig.from(config).serde()),
        DLQ_SERVICE(DlqServiceCommand.DEFINITION, DlqServiceCommand::serdes);

        final ConfigDefinition definition;
        final Function<Config, SerdeConfig> serdes;

        Role(ConfigDefinition definition, Function<Config, SerdeConfig> serdes) {
            this.definition = definition;
            this.serdes = serdes;
        }

        String command() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private static SchemaRegistryServer registry;

    @BeforeAll
    static void startRegistry() {
        registry = SchemaRegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "deploy/swarm/docker-stack.yml", "deploy/k8s/overlays/prod"})
    void whatTheApiAndTheSchedulerWriteTheWorkerAndTheDlqServiceRead(String stack) throws IOException {
        // Given each role configured from the stack's environment
        Map<Role, SerdeConfig> serdes = new LinkedHashMap<>();
        for (Role role : Role.values()) {
            serdes.put(
                    role,
                    role.serdes.apply(
                            load(role, environmentOf(stack, role.command()), flagsOf(stack, role.command()))));
        }
        Job job = job();

        for (Role writer : List.of(Role.API, Role.SCHEDULER)) {
            // When the API or the scheduler publishes a job (to the queue, or a delay tier when it is not yet due)
            byte[] onQueue;
            byte[] onDelayTier;
            try (JobSerde<Job> jobs = JobSerde.forJob(serdes.get(writer))) {
                onQueue = jobs.encode(QUEUE, job);
                onDelayTier = jobs.encode(Topics.delay(QUEUE, "5s"), job);
            }

            // Then the worker decodes it, and so does the dlq-service (its delay forwarder and replay)
            try (JobDecoder worker = JobDecoder.create(serdes.get(Role.WORKER))) {
                assertThat(worker.decode(QUEUE, 0, 0L, new RecordHeaders(), onQueue))
                        .as("%s: the worker reads what the %s writes", stack, writer)
                        .isEqualTo(job);
            }
            try (JobSerde<Job> dlqService = JobSerde.forJob(serdes.get(Role.DLQ_SERVICE))) {
                assertThat(dlqService.decode(Topics.delay(QUEUE, "5s"), new RecordHeaders(), onDelayTier))
                        .as("%s: the dlq-service reads what the %s writes", stack, writer)
                        .isEqualTo(job);
            }
        }

        // And what the worker derives (failures, events) the dlq-service and the API's job status read
        JobFailure failure = failure(job);
        JobEvent event = event(job);
        byte[] failed;
        byte[] events;
        try (JobSerde<JobFailure> failures = JobSerde.forFailure(serdes.get(Role.WORKER));
                JobSerde<JobEvent> eventSerde = JobSerde.forEvent(serdes.get(Role.WORKER))) {
            failed = failures.encode(Topics.failed(QUEUE), failure);
            events = eventSerde.encode(Topics.events(QUEUE), event);
        }
        byte[] published;
        try (JobSerde<Job> jobs = JobSerde.forJob(serdes.get(Role.API))) {
            published = jobs.encode(QUEUE, job);
        }
        assertThat(List.of(failed[0], events[0]))
                .as("%s: derived records follow the queue's write format", stack)
                .containsOnly(published[0]);
        try (JobSerde<JobFailure> dlqService = JobSerde.forFailure(serdes.get(Role.DLQ_SERVICE))) {
            assertThat(dlqService.decode(Topics.failed(QUEUE), new RecordHeaders(), failed))
                    .as("%s: the dlq-service reads the worker's failures", stack)
                    .isEqualTo(failure);
        }
        try (JobSerde<JobEvent> api = JobSerde.forEvent(serdes.get(Role.API))) {
            assertThat(api.decode(Topics.events(QUEUE), new RecordHeaders(), events))
                    .as("%s: the API's job status reads the worker's events", stack)
                    .isEqualTo(event);
        }
    }

    // ---- the roles' configuration from a stack file

    private static Config load(Role role, Map<String, String> env, Map<String, Object> flags) {
        return ConfigLoader.forDefinition(role.definition.and(KafkaSettings.DEFINITION))
                .withEnvironment(env)
                .withOverrides(flags)
                .load();
    }

    /** The config keys the role's command line in {@code stack} sets, parsed by the real command. */
    private static Map<String, Object> flagsOf(String stack, String role) throws IOException {
        List<String> args = stack.startsWith("deploy/k8s") ? kubernetesArgs(stack, role) : composeCommand(stack, role);
        assertThat(args).as("%s runs %s", stack, role).isNotEmpty();
        ParseResult parsed = Jobstream.commandLine(
                        new java.io.PrintWriter(java.io.Writer.nullWriter()),
                        new java.io.PrintWriter(java.io.Writer.nullWriter()))
                .parseArgs(args.toArray(String[]::new));
        return switch (parsed.subcommand().commandSpec().userObject()) {
            case WorkerCommand worker -> worker.flags();
            case DlqServiceCommand dlqService -> dlqService.flags();
            default -> Map.of(); // the api's and the scheduler's flags set no serde or queue settings
        };
    }

    private static List<String> composeCommand(String file, String role) throws IOException {
        List<String> args = new ArrayList<>();
        YAML.readTree(ROOT.resolve(file).toFile())
                .path("services")
                .path(role)
                .path("command")
                .forEach(arg -> args.add(arg.asText()));
        return args;
    }

    private static List<String> kubernetesArgs(String stack, String role) throws IOException {
        for (JsonNode container : kubernetesContainers(stack)) {
            if (container.path("args").path(0).asText().equals(role)) {
                List<String> args = new ArrayList<>();
                container.path("args").forEach(arg -> args.add(arg.asText()));
                return args;
            }
        }
        return List.of();
    }

    private static List<JsonNode> kubernetesContainers(String stack) throws IOException {
        List<JsonNode> containers = new ArrayList<>();
        for (JsonNode document : kubernetesDocuments(stack)) {
            if (document.path("kind").asText().equals("Deployment")) {
                document.path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers")
                        .forEach(containers::add);
            }
        }
        return containers;
    }

    /** The environment of {@code role} in {@code stack}, the stack's registry replaced by the in-process one. */
    private static Map<String, String> environmentOf(String stack, String role) throws IOException {
        Map<String, String> raw =
                stack.startsWith("deploy/k8s") ? kubernetesEnvironment(stack, role) : composeEnvironment(stack, role);
        assertThat(raw).as("%s runs %s", stack, role).isNotEmpty();
        Map<String, String> env = new LinkedHashMap<>();
        raw.forEach((name, value) ->
                env.put(name, DeploymentFilesTest.asDeployed(value).replace(STACK_REGISTRY, registry.url())));
        return env;
    }

    private static Map<String, String> composeEnvironment(String file, String role) throws IOException {
        JsonNode service =
                YAML.readTree(ROOT.resolve(file).toFile()).path("services").path(role);
        Map<String, String> env = new LinkedHashMap<>();
        service.path("environment")
                .properties()
                .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    private static Map<String, String> kubernetesEnvironment(String stack, String role) throws IOException {
        List<JsonNode> documents = kubernetesDocuments(stack);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode container : kubernetesContainers(stack)) {
            if (container.path("args").path(0).asText().equals(role)) {
                for (JsonNode from : container.path("envFrom")) {
                    String configMap = from.path("configMapRef").path("name").asText(null);
                    String secret = from.path("secretRef").path("name").asText(null);
                    for (JsonNode source : documents) {
                        String name = source.path("metadata").path("name").asText();
                        if (source.path("kind").asText().equals("ConfigMap") && name.equals(configMap)) {
                            source.path("data")
                                    .properties()
                                    .forEach(e ->
                                            env.put(e.getKey(), e.getValue().asText()));
                        }
                        if (source.path("kind").asText().equals("Secret") && name.equals(secret)) {
                            source.path("stringData")
                                    .properties()
                                    .forEach(e ->
                                            env.put(e.getKey(), e.getValue().asText()));
                        }
                    }
                }
                for (JsonNode variable : container.path("env")) {
                    if (variable.has("value")) {
                        env.put(
                                variable.path("name").asText(),
                                variable.path("value").asText());
                    }
                }
            }
        }
        return env;
    }

    /** The documents of a kustomization ({@code deploy/k8s/overlays/prod}) as kustomize renders them. */
    private static List<JsonNode> kubernetesDocuments(String stack) throws IOException {
        return new ArrayList<>(KubernetesManifests.render(ROOT.resolve(stack)));
    }

    // ---- records

    private static Job job() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType("log")
                .setPayload(ByteBuffer.wrap("{\"hello\":\"stack\"}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(now)
                .setHeaders(Map.of())
                .build();
    }

    private static JobFailure failure(Job job) {
        return JobFailure.newBuilder()
                .setJob(job)
                .setReason(FailureReason.HANDLER_ERROR)
                .setMessage("boom")
                .setRetryable(true)
                .setFailedAt(job.getCreatedAt())
                .setWorkerId("worker-1")
                .setSourceTopic(QUEUE)
                .setSourcePartition(0)
                .setSourceOffset(0L)
                .build();
    }

    private static JobEvent event(Job job) {
        return JobEvent.newBuilder()
                .setJobId(job.getId())
                .setQueue(QUEUE)
                .setType(job.getType())
                .setState(JobState.SUCCEEDED)
                .setAttempt(1)
                .setAt(job.getCreatedAt())
                .build();
    }
}

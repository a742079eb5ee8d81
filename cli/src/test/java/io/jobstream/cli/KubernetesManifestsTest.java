package io.jobstream.cli;

import static io.jobstream.cli.KubernetesManifests.K8S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.jobstream.cli.KubernetesManifests.KafkaTriggerMetadata;
import io.jobstream.cli.KubernetesManifests.Kustomization;
import io.jobstream.cli.KubernetesManifests.Patch;
import io.jobstream.cli.KubernetesManifests.ScaledObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * deploy/k8s passes a platform review: each kustomization (the base and every overlay) renders, every object in it is
 * a valid Kubernetes object (fabric8's API types, unknown fields failing; KEDA's ScaledObject against the keys KEDA
 * documents), every pod runs under the restricted Pod Security profile, memory limits hold heap, metaspace and
 * RocksDB, every long-running role has a PodDisruptionBudget, and KEDA scales the workers only in the overlay that
 * asks for it. The checks are functions returning violations, so each has a test feeding it a broken manifest.
 */
class KubernetesManifestsTest {
    /** What the JVM needs outside heap and metaspace: code cache, thread stacks, GC structures, NIO buffers. */
    static final long JVM_OTHER_MIB = 160;
    /** RocksDB's off-heap budget for a role with a Kafka Streams state store (deploy/k8s/README.md). */
    static final long ROCKSDB_MIB = 768;

    static final List<String> OVERLAYS_WITHOUT_KEDA = List.of("base", "overlays/dev", "overlays/prod");

    // ---- every object is a valid Kubernetes object

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void everyObjectOfEveryKustomizationIsAValidKubernetesObject(String kustomization) throws IOException {
        // Given the kustomization, rendered
        List<ObjectNode> documents = KubernetesManifests.render(kustomization);

        // Then every object reads into its API type with no unknown field, and names are unique per kind
        assertThat(documents).isNotEmpty();
        List<String> names = new ArrayList<>();
        for (ObjectNode document : documents) {
            assertThatCode(() -> KubernetesManifests.validate(document))
                    .as("%s: %s", kustomization, document.path("metadata").path("name"))
                    .doesNotThrowAnyException();
            names.add(document.path("kind").asText() + "/"
                    + document.path("metadata").path("name").asText());
        }
        assertThat(names).doesNotHaveDuplicates();
    }

    @Test
    void theValidatorRefusesUnknownFieldsAndWrongTypes() {
        // Given a valid Deployment, Then it passes
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: jobstream-worker}
                spec:
                  %s
                  selector: {matchLabels: {app: w}}
                  template:
                    metadata: {labels: {app: w}}
                    spec:
                      containers:
                        - name: worker
                          image: jobstream:0.1.0
                          %s
                """;
        assertThatCode(() -> KubernetesManifests.validateYaml(deployment.formatted("replicas: 2", "args: [worker]")))
                .doesNotThrowAnyException();

        // Then a misspelt field fails, at any depth, and so does a string where the API wants a number
        assertThatThrownBy(() -> KubernetesManifests.validateYaml(deployment.formatted("replica: 2", "args: [worker]")))
                .hasMessageContaining("replica");
        assertThatThrownBy(() -> KubernetesManifests.validateYaml(
                        deployment.formatted("replicas: 2", "securityContex: {runAsNonRoot: true}")))
                .hasMessageContaining("securityContex");
        assertThatThrownBy(() -> KubernetesManifests.validateYaml(deployment.formatted("replicas: \"2\"", "")))
                .hasMessageContaining("Deployment jobstream-worker");
        assertThatThrownBy(() -> KubernetesManifests.validateYaml("""
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: jobstream-env}
                        data: {JOBSTREAM_RUNTIME_ADMIN_PORT: 9400}
                        """))
                .as("ConfigMap data are strings")
                .hasMessageContaining("ConfigMap jobstream-env");
        // And a kind nobody listed (a CRD other than KEDA's, or a typo in apiVersion) fails
        assertThatThrownBy(() ->
                        KubernetesManifests.validateYaml("apiVersion: app/v1\nkind: Deployment\nmetadata: {name: x}\n"))
                .hasMessageContaining("not a kind");
    }

    @Test
    void theScaledObjectValidatorRefusesKeysKedaDoesNotDocument() {
        // Given a valid ScaledObject
        String scaledObject = """
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: jobstream-worker}
                spec:
                  scaleTargetRef: {name: jobstream-worker}
                  %s: 12
                  triggers:
                    - type: kafka
                      metadata: {topic: jobs, consumerGroup: jobs.workers, %s}
                """;
        assertThatCode(() -> KubernetesManifests.validateYaml(
                        scaledObject.formatted("maxReplicaCount", "lagThreshold: \"10\"")))
                .doesNotThrowAnyException();

        // Then a spec key KEDA does not document, a Kafka metadata key it does not know, or a non-string value fail
        assertThatThrownBy(() ->
                        KubernetesManifests.validateYaml(scaledObject.formatted("maxReplicas", "lagThreshold: \"10\"")))
                .hasMessageContaining("maxReplicas");
        assertThatThrownBy(() -> KubernetesManifests.validateYaml(
                        scaledObject.formatted("maxReplicaCount", "lagTreshold: \"10\"")))
                .hasMessageContaining("lagTreshold");
        assertThatThrownBy(() ->
                        KubernetesManifests.validateYaml(scaledObject.formatted("maxReplicaCount", "lagThreshold: 10")))
                .hasMessageContaining("ScaledObject jobstream-worker");
    }

    // ---- kustomize

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void everyKustomizationReferencesFilesThatExistAndPatchesExistingResources(String kustomization)
            throws IOException {
        // Given the kustomization file, read strictly (a misspelt key such as `resource:` fails)
        Path directory = K8S.resolve(kustomization);
        Kustomization file = KubernetesManifests.kustomization(directory);

        // Then everything it names exists
        assertThat(file.kind()).isEqualTo("Kustomization");
        for (String resource : file.resources()) {
            assertThat(directory.resolve(resource))
                    .as("%s: resource", kustomization)
                    .exists();
        }
        for (String component : file.components()) {
            assertThat(directory.resolve(component).resolve("kustomization.yaml"))
                    .as("%s: component", kustomization)
                    .exists();
            for (Patch patch : KubernetesManifests.kustomization(directory.resolve(component))
                    .patches()) {
                assertThat(directory.resolve(component).resolve(patch.path())).exists();
            }
        }
        for (Patch patch : file.patches()) {
            assertThat(directory.resolve(patch.path()))
                    .as("%s: patch", kustomization)
                    .exists();
        }
        // And it renders: every patch targets exactly one resource by kind and name (render fails otherwise)
        assertThatCode(() -> KubernetesManifests.render(kustomization)).doesNotThrowAnyException();
    }

    @Test
    void aPatchOfAResourceThatIsNotThereFailsTheRendering() throws IOException {
        // Given an overlay patching a Deployment the base does not have
        Path overlay = Files.createTempDirectory("jobstream-overlay");
        Files.writeString(
                overlay.resolve("kustomization.yaml"),
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + "resources: [\""
                        + K8S.resolve("base") + "\"]\npatches: [{path: patch.yaml}]\n");
        Files.writeString(
                overlay.resolve("patch.yaml"),
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: jobstream-workers}\nspec: {replicas: 3}\n");

        // Then rendering it fails, naming the missing target
        assertThatThrownBy(() -> KubernetesManifests.render(overlay))
                .hasMessageContaining("Deployment/jobstream-workers, which matches 0 resources");
    }

    // ---- the restricted Pod Security profile

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void everyPodRunsUnderTheRestrictedPodSecurityProfile(String kustomization) throws IOException {
        // Given every pod template of the kustomization
        Map<String, PodSpec> pods = pods(KubernetesManifests.render(kustomization));

        // Then none breaks the profile, and every pod has a writable /tmp and its state directories on emptyDirs
        assertThat(pods)
                .containsKeys("Deployment/jobstream-api", "Deployment/jobstream-worker", "Job/jobstream-topics-jobs");
        pods.forEach((name, pod) -> assertThat(restrictedProfileViolations(pod))
                .as("%s %s", kustomization, name)
                .isEmpty());
    }

    @Test
    void aPodWithoutAReadOnlyRootFilesystemOrWithAStateDirectoryOnItBreaksTheProfile() throws IOException {
        // Given the api's pod, as shipped
        ObjectNode api = find(KubernetesManifests.render("base"), "Deployment", "jobstream-api");
        assertThat(restrictedProfileViolations(podOf(api))).isEmpty();

        // When its root filesystem is writable, Then the check fails
        ObjectNode writable = api.deepCopy();
        securityContextOf(writable).remove("readOnlyRootFilesystem");
        assertThat(restrictedProfileViolations(podOf(writable))).anyMatch(v -> v.contains("readOnlyRootFilesystem"));

        // When its state directory is no longer on a volume, Then the check fails
        ObjectNode stateless = api.deepCopy();
        ((ObjectNode) KubernetesManifests.containers(stateless).getFirst())
                .withArray("volumeMounts")
                .remove(0);
        assertThat(restrictedProfileViolations(podOf(stateless)))
                .anyMatch(v -> v.contains("/var/lib/jobstream/status"));

        // When it keeps a capability or runs unconfined, Then the check fails
        ObjectNode capable = api.deepCopy();
        securityContextOf(capable).putObject("capabilities").putArray("add").add("NET_ADMIN");
        assertThat(restrictedProfileViolations(podOf(capable))).anyMatch(v -> v.contains("capabilities"));
        ObjectNode unconfined = api.deepCopy();
        ((ObjectNode) unconfined.path("spec").path("template").path("spec").path("securityContext"))
                .remove("seccompProfile");
        assertThat(restrictedProfileViolations(podOf(unconfined))).anyMatch(v -> v.contains("seccompProfile"));
    }

    @Test
    void theOverlaysNamespacesEnforceTheRestrictedProfile() throws IOException {
        for (String overlay : List.of("overlays/dev", "overlays/prod", "overlays/prod-keda")) {
            // Given the overlay
            List<ObjectNode> documents = KubernetesManifests.render(overlay);
            String namespace =
                    KubernetesManifests.kustomization(K8S.resolve(overlay)).namespace();

            // Then it creates its namespace with the restricted profile enforced, and puts everything in it
            Namespace created = documents.stream()
                    .filter(d -> d.path("kind").asText().equals("Namespace"))
                    .map(d -> KubernetesManifests.typed(d, Namespace.class))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + " has a Namespace"));
            assertThat(created.getMetadata().getLabels())
                    .as(overlay)
                    .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
            documents.stream()
                    .filter(d -> !d.path("kind").asText().equals("Namespace"))
                    .forEach(d -> assertThat(
                                    d.path("metadata").path("namespace").asText())
                            .as("%s %s", overlay, d.path("metadata").path("name"))
                            .isEqualTo(namespace == null ? created.getMetadata().getName() : namespace));
        }
    }

    // ---- memory

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void everyMemoryLimitHoldsHeapMetaspaceAndRocksDb(String kustomization) throws IOException {
        // Given every pod template of the kustomization
        Map<String, PodSpec> pods = pods(KubernetesManifests.render(kustomization));

        // Then each container's limit holds its heap, metaspace, the JVM's other memory and (Streams roles) RocksDB
        pods.forEach((name, pod) -> assertThat(memoryViolations(pod))
                .as("%s %s", kustomization, name)
                .isEmpty());
    }

    @Test
    void aStreamsRoleWithTheImagesDefaultHeapShareLeavesNoRoomForRocksDb() throws IOException {
        // Given the api (a RocksDB status store) as shipped, Then its memory adds up
        ObjectNode api = find(KubernetesManifests.render("base"), "Deployment", "jobstream-api");
        assertThat(memoryViolations(podOf(api))).isEmpty();

        // When it takes the image's default 75 % of the limit as heap, Then RocksDB no longer fits
        ObjectNode greedy = api.deepCopy();
        javaToolOptions(greedy).put("value", "-XX:MaxRAMPercentage=75 -XX:MaxMetaspaceSize=128m");
        assertThat(memoryViolations(podOf(greedy))).anyMatch(v -> v.contains("RocksDB"));

        // When metaspace is unbounded, Then the arithmetic does not hold either
        ObjectNode unbounded = api.deepCopy();
        javaToolOptions(unbounded).put("value", "-XX:MaxRAMPercentage=40");
        assertThat(memoryViolations(podOf(unbounded))).anyMatch(v -> v.contains("MaxMetaspaceSize"));
    }

    // ---- disruptions and probes

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void everyDeploymentHasADisruptionBudgetThatNeverBlocksADrain(String kustomization) throws IOException {
        // Given
        List<ObjectNode> documents = KubernetesManifests.render(kustomization);
        List<PodDisruptionBudget> budgets = documents.stream()
                .filter(d -> d.path("kind").asText().equals("PodDisruptionBudget"))
                .map(d -> KubernetesManifests.typed(d, PodDisruptionBudget.class))
                .toList();

        // Then each Deployment's pods are selected by exactly one budget, of at most one pod unavailable
        for (ObjectNode document : documents) {
            if (!document.path("kind").asText().equals("Deployment")) {
                continue;
            }
            Deployment deployment = KubernetesManifests.typed(document, Deployment.class);
            Map<String, String> labels =
                    deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<PodDisruptionBudget> selecting = budgets.stream()
                    .filter(b -> labels.entrySet()
                            .containsAll(
                                    b.getSpec().getSelector().getMatchLabels().entrySet()))
                    .toList();
            String name = deployment.getMetadata().getName();
            assertThat(selecting)
                    .as("%s: a PodDisruptionBudget for %s", kustomization, name)
                    .hasSize(1);
            assertThat(selecting.getFirst().getSpec().getMinAvailable())
                    .as("%s: minAvailable would block draining a node with %s's only pod", kustomization, name)
                    .isNull();
            assertThat(selecting.getFirst().getSpec().getMaxUnavailable().getIntVal())
                    .as(name)
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest
    @FieldSource("io.jobstream.cli.KubernetesManifests#KUSTOMIZATIONS")
    void everyLongRunningRoleHasAStartupProbeThatHoldsOffItsLivenessProbe(String kustomization) throws IOException {
        for (ObjectNode document : KubernetesManifests.render(kustomization)) {
            if (!document.path("kind").asText().equals("Deployment")) {
                continue;
            }
            for (Container container : podOf(document).getContainers()) {
                // Then startup probes the liveness endpoint, for longer than liveness would wait, before it counts
                var startup = container.getStartupProbe();
                var liveness = container.getLivenessProbe();
                assertThat(startup)
                        .as("%s %s startupProbe", kustomization, container.getName())
                        .isNotNull();
                assertThat(startup.getHttpGet()).isEqualTo(liveness.getHttpGet());
                assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
                        .as("%s: time allowed to start", container.getName())
                        .isGreaterThanOrEqualTo(liveness.getPeriodSeconds() * liveness.getFailureThreshold())
                        .isGreaterThanOrEqualTo(180);
                assertThat(liveness.getInitialDelaySeconds())
                        .as("%s: the startup probe, not a fixed delay, holds liveness off", container.getName())
                        .isNull();
            }
        }
    }

    // ---- KEDA

    @ParameterizedTest
    @FieldSource("OVERLAYS_WITHOUT_KEDA")
    void theOverlaysWithoutKedaUseOnlyBuiltInKinds(String kustomization) throws IOException {
        // Given
        List<ObjectNode> documents = KubernetesManifests.render(kustomization);

        // Then they apply on a cluster without KEDA's CRDs: only built-in API groups
        assertThat(documents).allSatisfy(d -> assertThat(d.path("apiVersion").asText())
                .as("%s %s", kustomization, d.path("metadata").path("name"))
                .isIn("v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1"));
    }

    @Test
    void theKedaOverlayScalesTheWorkersOnTheirLagUpToThePartitionCountWithoutAReplicasField() throws IOException {
        // Given the prod overlay with KEDA
        List<ObjectNode> documents = KubernetesManifests.render("overlays/prod-keda");

        // Then the ScaledObject scales the worker Deployment with KEDA's Kafka scaler, capped at the partitions
        assertThat(kedaViolations(documents)).isEmpty();

        // And the same overlay with a replica count on the worker fails (it would fight the HPA on every apply)
        List<ObjectNode> fighting = new ArrayList<>();
        documents.forEach(d -> fighting.add(d.deepCopy()));
        ((ObjectNode) find(fighting, "Deployment", "jobstream-worker").path("spec")).put("replicas", 2);
        assertThat(kedaViolations(fighting)).anyMatch(v -> v.contains("replicas"));

        // And so does a ScaledObject that would let workers idle past the partitions
        List<ObjectNode> idle = new ArrayList<>();
        documents.forEach(d -> idle.add(d.deepCopy()));
        ((ObjectNode) find(idle, "ScaledObject", "jobstream-worker")
                        .path("spec")
                        .path("triggers")
                        .get(0)
                        .path("metadata"))
                .put("allowIdleConsumers", "true");
        assertThat(kedaViolations(idle)).anyMatch(v -> v.contains("allowIdleConsumers"));
    }

    // ---- the checks: each returns what is wrong, so a test can feed it a broken manifest

    /** What breaks the restricted Pod Security profile, or a read-only root filesystem's writable paths. */
    static List<String> restrictedProfileViolations(PodSpec pod) {
        List<String> violations = new ArrayList<>();
        PodSecurityContext podContext =
                Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);
        if (Boolean.TRUE.equals(pod.getHostNetwork())
                || Boolean.TRUE.equals(pod.getHostPID())
                || Boolean.TRUE.equals(pod.getHostIPC())) {
            violations.add("host namespaces");
        }
        if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
            violations.add("automountServiceAccountToken: the roles never call the Kubernetes API");
        }
        Map<String, Volume> volumes = new LinkedHashMap<>();
        for (Volume volume : pod.getVolumes()) {
            volumes.put(volume.getName(), volume);
            boolean allowed = volume.getEmptyDir() != null
                    || volume.getConfigMap() != null
                    || volume.getSecret() != null
                    || volume.getProjected() != null
                    || volume.getDownwardAPI() != null
                    || volume.getPersistentVolumeClaim() != null
                    || volume.getEphemeral() != null;
            if (!allowed) {
                violations.add("volume " + volume.getName() + " is of a type the profile forbids");
            }
        }
        for (Container container : pod.getContainers()) {
            String name = container.getName();
            SecurityContext context =
                    Optional.ofNullable(container.getSecurityContext()).orElseGet(SecurityContext::new);
            Boolean runAsNonRoot = first(context.getRunAsNonRoot(), podContext.getRunAsNonRoot());
            Long runAsUser = first(context.getRunAsUser(), podContext.getRunAsUser());
            SeccompProfile seccomp = first(context.getSeccompProfile(), podContext.getSeccompProfile());
            if (!Boolean.TRUE.equals(runAsNonRoot)) {
                violations.add(name + ": runAsNonRoot");
            }
            if (runAsUser == null || runAsUser != 10001) {
                violations.add(name + ": runAsUser is not the image's user 10001");
            }
            if (!Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
                violations.add(name + ": allowPrivilegeEscalation");
            }
            if (Boolean.TRUE.equals(context.getPrivileged())) {
                violations.add(name + ": privileged");
            }
            if (!Boolean.TRUE.equals(context.getReadOnlyRootFilesystem())) {
                violations.add(name + ": readOnlyRootFilesystem");
            }
            Capabilities capabilities = context.getCapabilities();
            if (capabilities == null
                    || !capabilities.getDrop().equals(List.of("ALL"))
                    || !capabilities.getAdd().isEmpty()) {
                violations.add(name + ": capabilities must drop [ALL] and add none");
            }
            if (seccomp == null || !"RuntimeDefault".equals(seccomp.getType())) {
                violations.add(name + ": seccompProfile RuntimeDefault");
            }
            // What the role writes: /tmp (the JVM, RocksDB's and zstd's native libraries) and its state directories
            List<String> writable = new ArrayList<>(List.of("/tmp"));
            container.getEnv().stream()
                    .filter(env -> env.getName().endsWith("_STATE_DIR"))
                    .map(EnvVar::getValue)
                    .forEach(writable::add);
            for (String path : writable) {
                boolean onEmptyDir = container.getVolumeMounts().stream()
                        .filter(mount -> mount.getMountPath().equals(path))
                        .filter(mount -> !Boolean.TRUE.equals(mount.getReadOnly()))
                        .map(VolumeMount::getName)
                        .map(volumes::get)
                        .anyMatch(volume -> volume != null && volume.getEmptyDir() != null);
                if (!onEmptyDir) {
                    violations.add(name + ": " + path + " is not a writable emptyDir mount");
                }
            }
        }
        return violations;
    }

    /**
     * Where a container's memory does not add up: limit = request; heap (MaxRAMPercentage of the limit) + metaspace
     * (MaxMetaspaceSize, which must be set) + the JVM's other memory, + RocksDB's budget for a role with a state
     * directory, fit the limit.
     */
    static List<String> memoryViolations(PodSpec pod) {
        List<String> violations = new ArrayList<>();
        for (Container container : pod.getContainers()) {
            String name = container.getName();
            Quantity limit = container.getResources().getLimits().get("memory");
            Quantity request = container.getResources().getRequests().get("memory");
            if (limit == null || !limit.equals(request)) {
                violations.add(name + ": memory request = limit (" + request + " / " + limit + ")");
                continue;
            }
            long limitMib = mib(limit);
            String options = container.getEnv().stream()
                    .filter(env -> env.getName().equals("JAVA_TOOL_OPTIONS"))
                    .map(EnvVar::getValue)
                    .findFirst()
                    .orElse("");
            Optional<String> percentage = flag(options, "-XX:MaxRAMPercentage=([0-9.]+)");
            Optional<String> metaspace = flag(options, "-XX:MaxMetaspaceSize=([0-9]+)m");
            if (percentage.isEmpty() || metaspace.isEmpty()) {
                violations.add(name + ": JAVA_TOOL_OPTIONS sets -XX:MaxRAMPercentage and -XX:MaxMetaspaceSize=<n>m");
                continue;
            }
            if (!options.contains("-XX:+ExitOnOutOfMemoryError")) {
                violations.add(name + ": -XX:+ExitOnOutOfMemoryError (the image's default, lost when overridden)");
            }
            long heap = (long) (limitMib * Double.parseDouble(percentage.get()) / 100);
            boolean streams =
                    container.getEnv().stream().anyMatch(env -> env.getName().endsWith("_STATE_DIR"));
            long needed = heap + Long.parseLong(metaspace.get()) + JVM_OTHER_MIB + (streams ? ROCKSDB_MIB : 0);
            if (needed > limitMib) {
                violations.add("%s: heap %d + metaspace %s + JVM other %d%s = %d MiB > limit %d MiB"
                        .formatted(
                                name,
                                heap,
                                metaspace.get(),
                                JVM_OTHER_MIB,
                                streams ? " + RocksDB " + ROCKSDB_MIB : "",
                                needed,
                                limitMib));
            }
        }
        return violations;
    }

    /** What is wrong with how the documents scale the workers with KEDA. */
    static List<String> kedaViolations(List<ObjectNode> documents) {
        List<String> violations = new ArrayList<>();
        List<ScaledObject> scaledObjects = documents.stream()
                .filter(d -> d.path("kind").asText().equals("ScaledObject"))
                .map(d -> KubernetesManifests.typed(d, ScaledObject.class))
                .toList();
        if (scaledObjects.size() != 1) {
            violations.add("one ScaledObject, found " + scaledObjects.size());
            return violations;
        }
        ScaledObject scaledObject = scaledObjects.getFirst();
        String target = scaledObject.spec().scaleTargetRef().name();
        Deployment worker = documents.stream()
                .filter(d -> d.path("kind").asText().equals("Deployment"))
                .filter(d -> d.path("metadata").path("name").asText().equals(target))
                .map(d -> KubernetesManifests.typed(d, Deployment.class))
                .findFirst()
                .orElse(null);
        if (worker == null) {
            violations.add("the ScaledObject targets a missing Deployment " + target);
            return violations;
        }
        if (worker.getSpec().getReplicas() != null) {
            violations.add(target + " sets replicas, which resets KEDA's count on every apply");
        }
        List<String> args = worker.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getArgs();
        String queue = option(args, "--queue").orElseThrow();
        int partitions = documents.stream()
                .filter(d -> d.path("kind").asText().equals("Job"))
                .map(d -> KubernetesManifests.typed(d, Job.class))
                .map(job -> job.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getArgs())
                .filter(a -> a.getFirst().equals("topics")
                        && option(a, "--queue").orElse("").equals(queue))
                .map(a -> Integer.parseInt(option(a, "--partitions").orElseThrow()))
                .findFirst()
                .orElseThrow();
        var spec = scaledObject.spec();
        if (!args.getFirst().equals("worker")) {
            violations.add(target + " does not run workers");
        }
        if (spec.maxReplicaCount() == null || spec.maxReplicaCount() != partitions) {
            violations.add("maxReplicaCount " + spec.maxReplicaCount() + " is not the partition count " + partitions);
        }
        int min = spec.minReplicaCount() == null ? 0 : spec.minReplicaCount();
        if (spec.fallback() == null
                || spec.fallback().failureThreshold() == null
                || spec.fallback().replicas() == null
                || spec.fallback().replicas() < Math.max(min, 1)
                || spec.fallback().replicas() > partitions) {
            violations.add("a fallback of 1.." + partitions + " replicas when KEDA cannot read the lag");
        }
        if (spec.triggers().size() != 1 || !spec.triggers().getFirst().type().equals("kafka")) {
            violations.add("one trigger, KEDA's Kafka scaler");
            return violations;
        }
        KafkaTriggerMetadata kafka = KubernetesManifests.STRICT.convertValue(
                spec.triggers().getFirst().metadata(), KafkaTriggerMetadata.class);
        if (!(queue + ".workers").equals(kafka.consumerGroup()) || !queue.equals(kafka.topic())) {
            violations.add("the trigger reads group " + kafka.consumerGroup() + " on " + kafka.topic() + ", not "
                    + queue + ".workers on " + queue);
        }
        if (kafka.lagThreshold() == null || Integer.parseInt(kafka.lagThreshold()) <= 0) {
            violations.add("a positive lagThreshold");
        }
        if (!"false".equals(kafka.allowIdleConsumers())) {
            violations.add("allowIdleConsumers: \"false\" (never more workers than partitions)");
        }
        if (!"true".equals(kafka.limitToPartitionsWithLag())) {
            violations.add("limitToPartitionsWithLag: \"true\" (never more workers than partitions with lag)");
        }
        // KEDA's operator resolves the broker from its own namespace: the ConfigMap's host, fully qualified
        String bootstrap = documents.stream()
                .filter(d -> d.path("kind").asText().equals("ConfigMap"))
                .map(d -> KubernetesManifests.typed(d, ConfigMap.class))
                .filter(c -> c.getData().containsKey("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS"))
                .map(c -> c.getData().get("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS"))
                .findFirst()
                .orElseThrow();
        String namespace = worker.getMetadata().getNamespace();
        String[] hostAndPort = bootstrap.split(":");
        String expected = hostAndPort[0] + "." + namespace + ".svc.cluster.local:" + hostAndPort[1];
        if (!expected.equals(kafka.bootstrapServers())) {
            violations.add("bootstrapServers " + kafka.bootstrapServers() + " is not " + expected);
        }
        return violations;
    }

    // ---- helpers

    private static Map<String, PodSpec> pods(List<ObjectNode> documents) {
        Map<String, PodSpec> pods = new LinkedHashMap<>();
        for (ObjectNode document : documents) {
            String kind = document.path("kind").asText();
            if (kind.equals("Deployment") || kind.equals("Job")) {
                pods.put(kind + "/" + document.path("metadata").path("name").asText(), podOf(document));
            }
        }
        return pods;
    }

    private static PodSpec podOf(JsonNode document) {
        Object object = KubernetesManifests.validate(document);
        return switch (object) {
            case Deployment deployment -> deployment.getSpec().getTemplate().getSpec();
            case Job job -> job.getSpec().getTemplate().getSpec();
            default -> throw new AssertionError("not a pod template: " + document.path("kind"));
        };
    }

    private static ObjectNode securityContextOf(ObjectNode deployment) {
        return (ObjectNode)
                KubernetesManifests.containers(deployment).getFirst().path("securityContext");
    }

    private static ObjectNode javaToolOptions(ObjectNode deployment) {
        for (JsonNode env :
                KubernetesManifests.containers(deployment).getFirst().path("env")) {
            if (env.path("name").asText().equals("JAVA_TOOL_OPTIONS")) {
                return (ObjectNode) env;
            }
        }
        throw new AssertionError("no JAVA_TOOL_OPTIONS");
    }

    static ObjectNode find(List<ObjectNode> documents, String kind, String name) {
        return documents.stream()
                .filter(d -> d.path("kind").asText().equals(kind))
                .filter(d -> d.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    private static long mib(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity)
                .divide(BigDecimal.valueOf(1024L * 1024L))
                .longValueExact();
    }

    private static Optional<String> flag(String options, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(options);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static Optional<String> option(List<String> args, String option) {
        int index = args.indexOf(option);
        return index >= 0 && index + 1 < args.size() ? Optional.of(args.get(index + 1)) : Optional.empty();
    }

    private static <T> T first(T container, T pod) {
        return container != null ? container : pod;
    }
}

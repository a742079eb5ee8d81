package io.jobstream.cli;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * deploy/k8s as the cluster would see it. Every document is read into the Kubernetes API types of fabric8's model
 * with a mapper that fails on unknown fields and on scalars of the wrong type (fabric8's classes keep unknown fields
 * in an any-setter map; {@link #STRICT} removes it, so {@code replica: 2} fails as the API server's strict field
 * validation does). KEDA's ScaledObject is a CRD fabric8 does not model: it is read into {@link ScaledObject}, a
 * record of the keys KEDA documents, with the same strictness, and a Kafka trigger's metadata into
 * {@link KafkaTriggerMetadata}. Kustomize files are read into {@link Kustomization}.
 *
 * <p>{@link #render} builds a kustomization as {@code kubectl kustomize} does for the features these overlays use:
 * resources (files and directories), components, strategic-merge patches (maps merged, {@code containers},
 * {@code volumes} and {@code env} merged by name, {@code volumeMounts} by mount path, any other list replaced, a null
 * deleting the field), {@code images} and {@code namespace}. A patch that targets no resource fails, as in kustomize.
 * Compared by hand with {@code kubectl kustomize} (kubectl 1.32.4, Kustomize 5.5.0) for base and every overlay on
 * 2026-12-07: the same objects. CI has no kubectl (no package for it on Debian's mirror), so that check is not a test.
 */
final class KubernetesManifests {
    static final Path ROOT = repositoryRoot();
    static final Path K8S = ROOT.resolve("deploy/k8s");
    /** Every kustomization a user applies, the base included: {@code kubectl apply -k deploy/k8s/<this>}. */
    static final List<String> KUSTOMIZATIONS = List.of("base", "overlays/dev", "overlays/prod", "overlays/prod-keda");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Strict: unknown fields, fabric8's any-setter maps and scalar coercions (a "2" for an int) all fail. */
    static final ObjectMapper STRICT = strictMapper();

    /** The built-in kinds the manifests use, by apiVersion/kind: a CRD other than KEDA's fails validation. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "v1/Namespace", Namespace.class,
            "apps/v1/Deployment", Deployment.class,
            "batch/v1/Job", Job.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    static final String KEDA_SCALED_OBJECT = "keda.sh/v1alpha1/ScaledObject";

    private KubernetesManifests() {}

    // ---- validation

    /**
     * {@code document} read into its API type: a fabric8 model object, or a {@link ScaledObject}; an
     * {@link IllegalArgumentException} naming the document and the offending field otherwise.
     */
    static Object validate(JsonNode document) {
        String type = document.path("apiVersion").asText() + "/"
                + document.path("kind").asText();
        String where = type + " " + document.path("metadata").path("name").asText();
        try {
            if (type.equals(KEDA_SCALED_OBJECT)) {
                ScaledObject scaledObject = STRICT.treeToValue(document, ScaledObject.class);
                for (Trigger trigger : scaledObject.spec().triggers()) {
                    if (trigger.type().equals("kafka")) {
                        STRICT.convertValue(trigger.metadata(), KafkaTriggerMetadata.class);
                    }
                }
                return scaledObject;
            }
            Class<? extends HasMetadata> kind = KINDS.get(type);
            if (kind == null) {
                throw new IllegalArgumentException(where + ": not a kind these manifests may use (" + KINDS.keySet()
                        + ", " + KEDA_SCALED_OBJECT + ")");
            }
            return STRICT.treeToValue(document, kind);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@link #validate} of each document of a YAML text (a manifest as a string, for the validator's own tests). */
    static List<Object> validateYaml(String yaml) throws IOException {
        List<Object> objects = new ArrayList<>();
        for (JsonNode document : readAll(yaml)) {
            objects.add(validate(document));
        }
        return objects;
    }

    static Kustomization kustomization(Path directory) throws IOException {
        return STRICT.treeToValue(
                YAML.readTree(directory.resolve("kustomization.yaml").toFile()), Kustomization.class);
    }

    static <T> T typed(JsonNode document, Class<T> type) {
        return type.cast(validate(document));
    }

    // ---- rendering

    /** The documents of the kustomization at {@code deploy/k8s/<kustomization>}, rendered. */
    static List<ObjectNode> render(String kustomization) throws IOException {
        return render(K8S.resolve(kustomization));
    }

    static List<ObjectNode> render(Path directory) throws IOException {
        Kustomization kustomization = kustomization(directory);
        List<ObjectNode> documents = new ArrayList<>();
        for (String resource : kustomization.resources()) {
            documents.addAll(resourcesAt(directory.resolve(resource).normalize()));
        }
        for (String component : kustomization.components()) {
            Path componentDirectory = directory.resolve(component).normalize();
            Kustomization parts = kustomization(componentDirectory);
            if (!parts.kind().equals("Component")) {
                throw new IllegalArgumentException(component + " is listed under components but is a " + parts.kind());
            }
            for (String resource : parts.resources()) {
                documents.addAll(
                        resourcesAt(componentDirectory.resolve(resource).normalize()));
            }
            applyPatches(componentDirectory, parts, documents);
        }
        applyPatches(directory, kustomization, documents);
        for (Image image : kustomization.images()) {
            for (ObjectNode document : documents) {
                for (JsonNode container : containers(document)) {
                    String current = container.path("image").asText();
                    int tag = current.lastIndexOf(':');
                    String name = tag < 0 ? current : current.substring(0, tag);
                    if (name.equals(image.name())) {
                        String newName = image.newName() != null ? image.newName() : name;
                        String newTag = image.newTag() != null ? image.newTag() : current.substring(tag + 1);
                        ((ObjectNode) container).put("image", newName + ":" + newTag);
                    }
                }
            }
        }
        if (kustomization.namespace() != null) {
            for (ObjectNode document : documents) {
                if (!document.path("kind").asText().equals("Namespace")) {
                    ((ObjectNode) document.path("metadata")).put("namespace", kustomization.namespace());
                }
            }
        }
        return documents;
    }

    private static List<ObjectNode> resourcesAt(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return render(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("missing resource " + ROOT.relativize(path));
        }
        return readAll(Files.readString(path));
    }

    private static void applyPatches(Path directory, Kustomization kustomization, List<ObjectNode> documents)
            throws IOException {
        for (Patch patch : kustomization.patches()) {
            if (patch.path() == null || patch.target() != null || patch.patch() != null) {
                throw new IllegalArgumentException(
                        directory + ": only strategic-merge patches from a file (`- path: x.yaml`) are rendered here");
            }
            Path file = directory.resolve(patch.path());
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("missing patch " + ROOT.relativize(file));
            }
            for (ObjectNode patchDocument : readAll(Files.readString(file))) {
                String kind = patchDocument.path("kind").asText();
                String name = patchDocument.path("metadata").path("name").asText();
                List<ObjectNode> targets = documents.stream()
                        .filter(d -> d.path("kind").asText().equals(kind))
                        .filter(d -> d.path("metadata").path("name").asText().equals(name))
                        .toList();
                if (targets.size() != 1) {
                    throw new IllegalArgumentException(ROOT.relativize(file) + " patches " + kind + "/" + name
                            + ", which matches " + targets.size() + " resources");
                }
                merge(targets.getFirst(), patchDocument);
            }
        }
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            JsonNode current = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject() && current instanceof ObjectNode object) {
                merge(object, (ObjectNode) value);
            } else if (value.isArray() && current instanceof ArrayNode list && mergeKey(key) != null) {
                mergeList(list, (ArrayNode) value, mergeKey(key));
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }

    private static String mergeKey(String field) {
        return switch (field) {
            case "containers", "initContainers", "volumes", "env" -> "name";
            case "volumeMounts" -> "mountPath";
            default -> null;
        };
    }

    private static void mergeList(ArrayNode target, ArrayNode patch, String key) {
        for (JsonNode element : patch) {
            ObjectNode match = null;
            for (JsonNode candidate : target) {
                if (candidate.path(key).equals(element.path(key))) {
                    match = (ObjectNode) candidate;
                }
            }
            if (match == null) {
                target.add(element.deepCopy());
            } else {
                merge(match, (ObjectNode) element);
            }
        }
    }

    // ---- reading

    static List<ObjectNode> readAll(String yaml) throws IOException {
        List<ObjectNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document instanceof ObjectNode object) {
                    documents.add(object);
                }
            }
        }
        return documents;
    }

    static List<JsonNode> containers(JsonNode document) {
        List<JsonNode> containers = new ArrayList<>();
        document.path("spec").path("template").path("spec").path("containers").forEach(containers::add);
        return containers;
    }

    private static ObjectMapper strictMapper() {
        SimpleModule noAdditionalProperties = new SimpleModule("no-additional-properties");
        noAdditionalProperties.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(
                    DeserializationConfig config, BeanDescription description, BeanDeserializerBuilder builder) {
                // fabric8's types put unknown fields into getAdditionalProperties(); without the any-setter they fail
                builder.setAnySetter(null);
                builder.setIgnoreUnknownProperties(false);
                return builder;
            }
        });
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(noAdditionalProperties)
                .build();
        // Strings stay strings: `value: 9400` or `lagThreshold: 1000` where the API wants a string fails
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError(
                    "docker-compose.yml not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    // ---- the types fabric8 does not model

    /** A kustomization.yaml: the keys these files use (apiVersion, kind, namespace, resources, ...). */
    record Kustomization(
            String apiVersion,
            String kind,
            String namespace,
            List<String> resources,
            List<String> components,
            List<Image> images,
            List<Patch> patches) {
        Kustomization {
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(kind, "kind");
            resources = resources == null ? List.of() : resources;
            components = components == null ? List.of() : components;
            images = images == null ? List.of() : images;
            patches = patches == null ? List.of() : patches;
        }
    }

    record Image(String name, String newName, String newTag, String digest) {}

    record Patch(String path, String patch, PatchTarget target, Map<String, Boolean> options) {}

    record PatchTarget(
            String group,
            String version,
            String kind,
            String name,
            String namespace,
            String labelSelector,
            String annotationSelector) {}

    /** KEDA's ScaledObject (keda.sh/v1alpha1), the fields of its documented specification. */
    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {
        ScaledObject {
            Objects.requireNonNull(metadata, "metadata");
            Objects.requireNonNull(spec, "spec");
        }
    }

    record ScaledObjectSpec(
            ScaleTargetRef scaleTargetRef,
            Integer pollingInterval,
            Integer cooldownPeriod,
            Integer initialCooldownPeriod,
            Integer idleReplicaCount,
            Integer minReplicaCount,
            Integer maxReplicaCount,
            Fallback fallback,
            Advanced advanced,
            List<Trigger> triggers) {
        ScaledObjectSpec {
            Objects.requireNonNull(scaleTargetRef, "scaleTargetRef");
            Objects.requireNonNull(triggers, "triggers");
        }
    }

    record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {
        ScaleTargetRef {
            Objects.requireNonNull(name, "scaleTargetRef.name");
        }
    }

    record Fallback(Integer failureThreshold, Integer replicas, String behavior) {}

    /** {@code horizontalPodAutoscalerConfig} and {@code scalingModifiers} are passed to the HPA as they are. */
    record Advanced(
            Boolean restoreToOriginalReplicaCount, JsonNode horizontalPodAutoscalerConfig, JsonNode scalingModifiers) {}

    record Trigger(
            String type,
            String name,
            Map<String, String> metadata,
            AuthenticationRef authenticationRef,
            String metricType,
            Boolean useCachedMetrics) {
        Trigger {
            Objects.requireNonNull(type, "type");
            metadata = metadata == null ? Map.of() : metadata;
        }
    }

    record AuthenticationRef(String name, String kind) {}

    /** The metadata keys of KEDA's Apache Kafka scaler (keda.sh/docs/2.x/scalers/apache-kafka), all strings. */
    record KafkaTriggerMetadata(
            String bootstrapServers,
            String consumerGroup,
            String topic,
            String partitionLimitation,
            String lagThreshold,
            String activationLagThreshold,
            String offsetResetPolicy,
            String allowIdleConsumers,
            String excludePersistentLag,
            String scaleToZeroOnInvalidOffset,
            String limitToPartitionsWithLag,
            String ensureEvenDistributionOfPartitions,
            String version,
            String sasl,
            String saslTokenProvider,
            String tls,
            String unsafeSsl,
            String awsRegion) {}
}

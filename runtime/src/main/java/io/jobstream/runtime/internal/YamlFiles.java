package io.jobstream.runtime.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a YAML config document into flat dotted keys: {@code jobstream: {worker: {concurrency: 8}}}
 * and {@code jobstream.worker.concurrency: 8} both become {@code jobstream.worker.concurrency → "8"}.
 * Scalars become their text, sequences of scalars a {@code List<String>}, YAML nulls are dropped
 * (unset). Stateless and thread-safe.
 */
public final class YamlFiles {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private YamlFiles() {}

    /**
     * Flattens {@code yaml}. Problems (not YAML, not a mapping at the top, a key given twice, a
     * nested mapping inside a list) are added to {@code problems} naming {@code source}.
     */
    public static Map<String, Object> flatten(String yaml, String source, List<String> problems) {
        Map<String, Object> flat = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = MAPPER.readTree(yaml);
        } catch (JacksonException e) {
            problems.add(source + " is not valid YAML: " + e.getOriginalMessage() + locationOf(e));
            return flat;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return flat;
        }
        if (!root.isObject()) {
            problems.add(source + " must hold a mapping of settings at the top level");
            return flat;
        }
        flatten(root, "", flat, source, problems);
        return flat;
    }

    private static void flatten(
            JsonNode node, String prefix, Map<String, Object> flat, String source, List<String> problems) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
                flatten(field.getValue(), key, flat, source, problems);
            }
            return;
        }
        if (node.isNull()) {
            return;
        }
        Object value;
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : node) {
                if (item.isContainerNode()) {
                    problems.add(prefix + " in " + source + " is a list holding a "
                            + item.getNodeType().name().toLowerCase(Locale.ROOT)
                            + "; lists may hold only plain values");
                    return;
                }
                items.add(item.asText());
            }
            value = List.copyOf(items);
        } else {
            value = node.asText();
        }
        if (flat.putIfAbsent(prefix, value) != null) {
            problems.add(prefix + " is set twice in " + source + " (once nested, once as a dotted key)");
        }
    }

    private static String locationOf(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }
}

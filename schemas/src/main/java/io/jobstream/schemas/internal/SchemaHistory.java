package io.jobstream.schemas.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every released version of each top-level wire schema, read from the classpath: {@code
 * <root><Name>/v1.avsc}, {@code v2.avsc}, ... (versions are probed in order until one is missing, so releasing a new
 * version is adding its file). Each file is a complete, self-contained schema.
 *
 * <p>Immutable and thread-safe once loaded. Loading fails with {@link IllegalStateException} when a name has no
 * version or a file does not parse: that is a build fault, never a runtime condition.
 */
public final class SchemaHistory {
    /** Where the shipped history lives on the classpath. */
    public static final String SHIPPED_ROOT = "io/jobstream/schemas/history/";

    /** The top-level records that travel on their own and therefore have a history. */
    public static final List<String> RECORD_NAMES = List.of("Job", "JobFailure", "DeadLetter", "JobEvent");

    private static final class Shipped {
        static final SchemaHistory INSTANCE = load(SchemaHistory.class.getClassLoader(), SHIPPED_ROOT, RECORD_NAMES);
    }

    private final Map<String, List<Schema>> versions;
    private final Map<String, Map<Long, Schema>> byFingerprint;
    private final Map<Long, String> namesByFingerprint;

    private SchemaHistory(Map<String, List<Schema>> versions) {
        this.versions = versions;
        this.byFingerprint = new HashMap<>();
        this.namesByFingerprint = new HashMap<>();
        versions.forEach((name, schemas) -> {
            Map<Long, Schema> fingerprints = new HashMap<>();
            for (Schema schema : schemas) {
                long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
                fingerprints.put(fingerprint, schema);
                namesByFingerprint.put(fingerprint, name);
            }
            byFingerprint.put(name, Map.copyOf(fingerprints));
        });
    }

    /** The history shipped in this module's jar. */
    public static SchemaHistory shipped() {
        return Shipped.INSTANCE;
    }

    /** Loads the history of {@code names} from {@code root} (a classpath folder ending in {@code /}). */
    public static SchemaHistory load(ClassLoader loader, String root, Collection<String> names) {
        Map<String, List<Schema>> versions = new LinkedHashMap<>();
        for (String name : names) {
            List<Schema> schemas = new ArrayList<>();
            for (int version = 1; ; version++) {
                String path = root + name + "/v" + version + ".avsc";
                URL url = loader.getResource(path);
                if (url == null) {
                    break;
                }
                try (InputStream in = url.openStream()) {
                    schemas.add(new Schema.Parser().parse(in));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read schema history file " + path, e);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("schema history file " + path + " is not a valid schema", e);
                }
            }
            if (schemas.isEmpty()) {
                throw new IllegalStateException("no schema history for " + name + " under " + root);
            }
            versions.put(name, List.copyOf(schemas));
        }
        return new SchemaHistory(versions);
    }

    /** The names this history knows. */
    public Collection<String> names() {
        return versions.keySet();
    }

    /** Every version of {@code name}, oldest first (index 0 is v1). */
    public List<Schema> versions(String name) {
        List<Schema> schemas = versions.get(name);
        if (schemas == null) {
            throw new IllegalArgumentException("no schema history for " + name);
        }
        return schemas;
    }

    /** The newest version of {@code name}. */
    public Schema latest(String name) {
        List<Schema> schemas = versions(name);
        return schemas.get(schemas.size() - 1);
    }

    /** The versions of {@code name} by their CRC-64-AVRO parsing fingerprint. */
    public Map<Long, Schema> byFingerprint(String name) {
        Map<Long, Schema> fingerprints = byFingerprint.get(name);
        if (fingerprints == null) {
            throw new IllegalArgumentException("no schema history for " + name);
        }
        return fingerprints;
    }

    /** The record name a fingerprint belongs to, if any version of any record has it. */
    public Optional<String> nameOf(long fingerprint) {
        return Optional.ofNullable(namesByFingerprint.get(fingerprint));
    }
}

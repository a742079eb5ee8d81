package io.jobstream.testkit;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Unique topic names for one test, so tests can share one cluster without seeing each other's records:
 * {@code unique("jobs")} in test {@code retriesFailedJob} gives {@code jobs-retries-failed-job-1}, and
 * each further call a new number (numbers are unique in the JVM). Names use only {@code [a-z0-9.-]}.
 *
 * <p>Injected by {@link JobstreamExtension}; thread-safe.
 */
public final class TestTopics {

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final int MAX_TEST_PART = 60;

    private final String testName;
    private final Supplier<KafkaCluster> cluster;

    /**
     * @param testName the test's name (camelCase is split into words)
     * @param cluster the cluster {@link #create} creates topics on, asked for only when needed
     */
    public TestTopics(String testName, Supplier<KafkaCluster> cluster) {
        this.testName = sanitize(Objects.requireNonNull(testName, "testName"), MAX_TEST_PART);
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /** {@code <base>-<test-name>-<n>}, never returned twice in this JVM. */
    public String unique(String base) {
        String prefix = sanitize(Objects.requireNonNull(base, "base"), 100);
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("base must contain a letter or digit (was '" + base + "')");
        }
        String name = prefix + (testName.isEmpty() ? "" : "-" + testName) + "-" + SEQUENCE.incrementAndGet();
        return name.length() <= 249 ? name : name.substring(name.length() - 249);
    }

    /** A {@link #unique} topic with one partition, replicated once, created on the cluster. */
    public String create(String base) {
        return create(base, 1);
    }

    /** A {@link #unique} topic with {@code partitions} partitions, replicated once, created on the cluster. */
    public String create(String base, int partitions) {
        String name = unique(base);
        cluster.get().createTopic(name, partitions, 1);
        return name;
    }

    /** The cluster {@link #create} uses. */
    public KafkaCluster cluster() {
        return cluster.get();
    }

    /**
     * Lowercase words joined by {@code -}: camelCase and anything outside {@code [a-z0-9.-]} split words;
     * at most {@code maxLength} characters.
     */
    static String sanitize(String text, int maxLength) {
        String words = text.replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9.-]+", "-")
                .replaceAll("-{2,}", "-")
                .replaceAll("^[-.]+|[-.]+$", "");
        if (words.length() > maxLength) {
            words = words.substring(0, maxLength).replaceAll("[-.]+$", "");
        }
        return words;
    }
}

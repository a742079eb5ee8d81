package io.jobstream.runtime;

import io.jobstream.runtime.internal.KafkaClusterCheck;
import io.jobstream.runtime.internal.TcpCheck;
import java.time.Duration;
import java.util.Map;

/** Ready-made {@link ReadinessCheck}s. */
public final class ReadinessChecks {
    private ReadinessChecks() {}

    /**
     * {@code kafka}: up when the cluster answers a describe-cluster request with at least one
     * broker within 2s (or the server's check timeout, if shorter). Holds one admin client, created
     * on first use and closed with the check.
     *
     * @param adminClientProperties e.g. {@link KafkaSettings#adminProperties()}
     */
    public static ReadinessCheck kafka(Map<String, Object> adminClientProperties) {
        return new KafkaClusterCheck(Map.copyOf(adminClientProperties), Duration.ofSeconds(2), false);
    }

    /** {@code kafka} with its own timeout. */
    public static ReadinessCheck kafka(Map<String, Object> adminClientProperties, Duration timeout) {
        return new KafkaClusterCheck(Map.copyOf(adminClientProperties), timeout, true);
    }

    /**
     * Up when a TCP connection to {@code host:port} opens within {@code timeout}, e.g. for Redis
     * until a protocol-level check replaces it. Holds nothing between checks.
     */
    public static ReadinessCheck tcp(String name, String host, int port, Duration timeout) {
        return new TcpCheck(name, host, port, timeout);
    }
}

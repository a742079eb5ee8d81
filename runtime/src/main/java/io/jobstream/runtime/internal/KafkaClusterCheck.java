package io.jobstream.runtime.internal;

import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.ReadinessCheck;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * {@code kafka}: describe-cluster through one admin client, created lazily and kept (it reconnects
 * by itself), closed with the check. Thread-safe: the client is created under a lock.
 */
public final class KafkaClusterCheck implements ReadinessCheck {
    private final Map<String, Object> adminProperties;
    private final Duration timeout;
    private final boolean ownTimeout;
    private Admin admin;
    private boolean closed;

    /** A check with these admin client properties; {@code ownTimeout} false means use the server's. */
    public KafkaClusterCheck(Map<String, Object> adminProperties, Duration timeout, boolean ownTimeout) {
        this.adminProperties = adminProperties;
        this.timeout = timeout;
        this.ownTimeout = ownTimeout;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Optional<Duration> timeout() {
        return ownTimeout ? Optional.of(timeout) : Optional.empty();
    }

    @Override
    public CheckResult check() throws InterruptedException {
        Admin client;
        try {
            client = admin();
        } catch (RuntimeException e) {
            return CheckResult.down("cannot create a Kafka admin client", Failures.describe(e));
        }
        try {
            Collection<Node> nodes = client.describeCluster(
                            new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return nodes.isEmpty() ? CheckResult.down("the cluster reports no brokers") : CheckResult.up();
        } catch (TimeoutException e) {
            return CheckResult.down(
                    "no answer from the Kafka cluster within " + Values.formatDuration(timeout),
                    "bootstrap.servers=" + adminProperties.get("bootstrap.servers"));
        } catch (ExecutionException e) {
            return CheckResult.down(
                    "the Kafka cluster could not be described",
                    "bootstrap.servers=" + adminProperties.get("bootstrap.servers") + ": " + Failures.describe(e));
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("the check is closed");
        }
        if (admin == null) {
            admin = Admin.create(adminProperties);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(Duration.ZERO);
            admin = null;
        }
    }

    @Override
    public String toString() {
        return "KafkaClusterCheck[" + adminProperties.get("bootstrap.servers") + "]";
    }
}

package io.jobstream.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a role puts the Kafka clients' own metrics into its registry: Micrometer's {@link KafkaClientMetrics}
 * for every long-lived producer, consumer and Admin client, and (through {@link #bind(MeterRegistry, Function)})
 * {@code KafkaStreamsMetrics} for a Kafka Streams application. Each binding is closed with its client, which removes
 * its meters, so a closed client leaves no series behind.
 *
 * <p>The meters are named after Kafka's metrics ({@code kafka.<group>.<name>}, e.g. {@code
 * kafka.consumer.fetch.manager.records.consumed.total}, in Prometheus {@code
 * kafka_consumer_fetch_manager_records_consumed_total}) and tagged with Kafka's own tags: {@code client.id} (one value
 * per client: Kafka numbers them unless {@code client.id} is set; a second client of an id already bound in the
 * registry is not bound, as the two would share meters; the number of clients per role is fixed), {@code
 * kafka.version}, and where Kafka has them {@code topic}, {@code partition} (a consumer's per-partition lag: bounded by
 * its assignment), {@code node.id}, {@code thread.id}, {@code task.id}. New metrics of a client (a topic it starts
 * writing, a partition it is assigned) appear within a minute.
 *
 * <p>Threading: safe from any thread; each binding looks for new metrics on a virtual thread of its own ({@code
 * jobstream-kafka-meters}), stopped when the binding is closed. A client whose metrics cannot be bound is logged and
 * skipped: metrics never keep a role from starting.
 */
public final class KafkaMeters {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMeters.class);
    private static final Binding NOTHING = () -> {};
    /** The client ids bound per registry. */
    private static final Map<MeterRegistry, Set<String>> BOUND = new WeakHashMap<>();

    private KafkaMeters() {}

    /** A client's meters in a registry; {@link #close()} removes them (idempotent, never throws). */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }

    /** Binds {@code producer}'s metrics to {@code registry}; close the result with the producer. */
    public static Binding bind(MeterRegistry registry, Producer<?, ?> producer) {
        Objects.requireNonNull(producer, "producer");
        return unique(
                registry,
                producer::metrics,
                () -> bind(registry, scheduler -> new KafkaClientMetrics(producer, Tags.empty(), scheduler)));
    }

    /** Binds {@code consumer}'s metrics to {@code registry}; close the result with the consumer. */
    public static Binding bind(MeterRegistry registry, Consumer<?, ?> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return unique(
                registry,
                consumer::metrics,
                () -> bind(registry, scheduler -> new KafkaClientMetrics(consumer, Tags.empty(), scheduler)));
    }

    /** Binds {@code admin}'s metrics to {@code registry}; close the result with the client. */
    public static Binding bind(MeterRegistry registry, Admin admin) {
        Objects.requireNonNull(admin, "admin");
        if (!(admin instanceof AdminClient client)) {
            LOG.debug(
                    "kafka meters not bound: {} is not an AdminClient",
                    admin.getClass().getName());
            return NOTHING;
        }
        return unique(
                registry,
                admin::metrics,
                () -> bind(registry, scheduler -> new KafkaClientMetrics(client, Tags.empty(), scheduler)));
    }

    /**
     * {@code binding}, unless a live binding in {@code registry} has the same {@code client.id}: two clients of one id
     * (a configured {@code jobstream.kafka.client-id} is every client's) would share meters, each showing one
     * client's values under both. The second is then not bound, and a warning names it.
     */
    private static Binding unique(
            MeterRegistry registry, Supplier<Map<MetricName, ? extends Metric>> metrics, Supplier<Binding> binding) {
        Objects.requireNonNull(registry, "registry");
        String clientId;
        try {
            clientId = metrics.get().keySet().stream()
                    .map(name -> name.tags().get("client-id"))
                    .filter(Objects::nonNull)
                    .findFirst()
                    .orElse(null);
        } catch (RuntimeException e) {
            LOG.debug("kafka meters not bound: the client's metrics cannot be read", e);
            return NOTHING;
        }
        if (clientId == null) {
            return binding.get();
        }
        synchronized (BOUND) {
            if (!BOUND.computeIfAbsent(registry, r -> new HashSet<>()).add(clientId)) {
                LOG.warn(
                        "kafka meters not bound: another client of this process has client.id={}; give each client"
                                + " its own id (leave jobstream.kafka.client-id unset) to see every client's metrics",
                        clientId);
                return NOTHING;
            }
        }
        Binding bound = binding.get();
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.getAndSet(true)) {
                return;
            }
            bound.close();
            synchronized (BOUND) {
                Set<String> ids = BOUND.get(registry);
                if (ids != null) {
                    ids.remove(clientId);
                }
            }
        };
    }

    /**
     * Binds the binder {@code binder} makes with the binding's scheduler, e.g. {@code KafkaMeters.bind(registry,
     * scheduler -> new KafkaStreamsMetrics(streams, Tags.empty(), scheduler))}; close the result with the client.
     */
    public static <B extends MeterBinder & AutoCloseable> Binding bind(
            MeterRegistry registry, Function<ScheduledExecutorService, B> binder) {
        Objects.requireNonNull(registry, "registry");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("jobstream-kafka-meters").factory());
        B bound = null;
        try {
            bound = binder.apply(scheduler);
            bound.bindTo(registry);
        } catch (RuntimeException e) {
            LOG.warn("kafka meters not bound: {}", e.toString());
            scheduler.shutdownNow();
            if (bound != null) {
                closeQuietly(bound);
            }
            return NOTHING;
        }
        B binding = bound;
        return () -> {
            scheduler.shutdownNow();
            closeQuietly(binding);
        };
    }

    private static void closeQuietly(AutoCloseable binding) {
        try {
            binding.close();
        } catch (Exception e) {
            LOG.debug("closing kafka meters failed", e);
        }
    }
}

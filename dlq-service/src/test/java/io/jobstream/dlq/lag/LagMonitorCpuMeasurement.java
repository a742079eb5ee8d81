package io.jobstream.dlq.lag;

import io.jobstream.testkit.KafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures the lag monitor's CPU cost with 50 groups × 12 partitions on a real one-broker cluster: the CPU time of
 * the sampling thread plus its Admin client's network thread over a minute. Not a test (no timing assertion); run
 * by hand with the test classpath: {@code java -cp ... io.jobstream.dlq.lag.LagMonitorCpuMeasurement [interval-ms]
 * [seconds]}.
 */
public final class LagMonitorCpuMeasurement {
    private LagMonitorCpuMeasurement() {}

    public static void main(String[] args) throws Exception {
        Duration interval = Duration.ofMillis(args.length > 0 ? Long.parseLong(args[0]) : 10_000);
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 60;
        int groups = 50;
        int partitions = 12;
        try (KafkaCluster kafka = KafkaCluster.start(1)) {
            Map<String, Object> producerProps = new HashMap<>(kafka.clientProperties());
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                List<Future<?>> acks = new ArrayList<>();
                for (int g = 0; g < groups; g++) {
                    String topic = "perf-" + g;
                    kafka.createTopic(topic, partitions, 1);
                    for (int p = 0; p < partitions; p++) {
                        for (int r = 0; r < 20; r++) {
                            acks.add(producer.send(new ProducerRecord<>(topic, p, null, new byte[16])));
                        }
                    }
                }
                for (Future<?> ack : acks) {
                    ack.get();
                }
            }
            for (int g = 0; g < groups; g++) {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (int p = 0; p < partitions; p++) {
                    offsets.put(new TopicPartition("perf-" + g, p), new OffsetAndMetadata(10));
                }
                kafka.admin()
                        .alterConsumerGroupOffsets("perf-" + g + ".workers", offsets)
                        .all()
                        .get();
            }
            Map<String, Object> adminProps = new HashMap<>(kafka.clientProperties());
            adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "lag-monitor-perf");
            try (Admin admin = Admin.create(adminProps);
                    LagMonitor monitor = LagMonitor.create(
                            LagMonitorConfig.builder()
                                    .interval(interval)
                                    .window(10)
                                    .build(),
                            admin,
                            new SimpleMeterRegistry(),
                            Clock.systemUTC())) {
                LagSnapshot first = monitor.sampleNow();
                long monitored = first.groups().stream()
                        .filter(g -> g.group().startsWith("perf-"))
                        .mapToLong(g -> g.partitions().size())
                        .sum();
                System.out.printf(
                        "groups=%d partitions monitored=%d%n", first.groups().size(), monitored);
                monitor.start();
                Thread.sleep(interval.toMillis() + 500); // let the scheduled thread and its first sample start
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                com.sun.management.OperatingSystemMXBean os =
                        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpuBefore = monitorCpu(threads);
                long processBefore = os.getProcessCpuTime();
                long wallBefore = System.nanoTime();
                Thread.sleep(seconds * 1000);
                long cpu = monitorCpu(threads) - cpuBefore;
                long process = os.getProcessCpuTime() - processBefore;
                long wall = System.nanoTime() - wallBefore;
                System.out.printf(
                        "interval=%s wall=%.1fs monitorThreadsCpu=%.3fs (%.3f%% of one core) processCpu=%.3fs"
                                + " (%.3f%% of one core)%n",
                        interval, wall / 1e9, cpu / 1e9, 100.0 * cpu / wall, process / 1e9, 100.0 * process / wall);
            }
        }
    }

    /** CPU time of the sampling thread and the monitor's Admin network thread. */
    private static long monitorCpu(ThreadMXBean threads) {
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            String name = info.getThreadName();
            if (name.equals(LagMonitor.THREAD_NAME) || name.contains("lag-monitor-perf")) {
                total += threads.getThreadCpuTime(info.getThreadId());
            }
        }
        return total;
    }
}

package io.jobstream.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time spent between two points, split three ways: the calling thread, this whole JVM (every thread, JIT and GC
 * included) and its child processes (the testkit brokers). Divided by the records a run handled it says where each
 * side's cost lies on a machine whose cores the client and the brokers share.
 */
record CpuUse(long threadNanos, long jvmNanos, long childNanos) {
    /** The CPU used so far. */
    static CpuUse now() {
        return new CpuUse(
                ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(),
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime(),
                ProcessHandle.current()
                        .descendants()
                        .mapToLong(child -> child.info()
                                .totalCpuDuration()
                                .map(Duration::toNanos)
                                .orElse(0L))
                        .sum());
    }

    /**
     * "whole JVM Y µs, brokers Z µs" per record from {@code start} to now: for sides whose work runs on threads other
     * than the caller's (a processor's poll and job threads), compared by their totals.
     */
    static String jvmPerRecordSince(CpuUse start, long records) {
        CpuUse end = now();
        double n = Math.max(1, records) * 1_000.0;
        return String.format(
                "CPU per record: whole JVM %.2f µs, brokers %.2f µs",
                (end.jvmNanos - start.jvmNanos) / n, (end.childNanos - start.childNanos) / n);
    }

    /** "calling thread X µs, JVM Y µs, brokers Z µs per record" from {@code start} to now. */
    static String perRecordSince(CpuUse start, long records) {
        CpuUse end = now();
        double n = Math.max(1, records) * 1_000.0;
        return String.format(
                "CPU per record: calling thread %.2f µs, whole JVM %.2f µs, brokers %.2f µs",
                (end.threadNanos - start.threadNanos) / n,
                (end.jvmNanos - start.jvmNanos) / n,
                (end.childNanos - start.childNanos) / n);
    }
}

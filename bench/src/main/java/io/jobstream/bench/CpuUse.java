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
        return start.perRecordUntilNow(records, false);
    }

    /** "calling thread X µs, whole JVM Y µs, brokers Z µs" per record from {@code start} to now. */
    static String perRecordSince(CpuUse start, long records) {
        return start.perRecordUntilNow(records, true);
    }

    private String perRecordUntilNow(long records, boolean withCallingThread) {
        CpuUse end = now();
        double n = Math.max(1, records) * 1_000.0;
        String jvmAndBrokers = String.format(
                "whole JVM %.2f µs, brokers %.2f µs", (end.jvmNanos - jvmNanos) / n, (end.childNanos - childNanos) / n);
        return withCallingThread
                ? String.format(
                        "CPU per record: calling thread %.2f µs, %s",
                        (end.threadNanos - threadNanos) / n, jvmAndBrokers)
                : "CPU per record: " + jvmAndBrokers;
    }
}

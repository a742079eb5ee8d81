/**
 * Mechanics behind the testkit's API; not for use outside the testkit.
 *
 * <p>{@code ProcessKafkaNodes}/{@code ProcessRedisNode} run child processes through {@code ManagedProcess}
 * (output appended to a log file, POSIX signals through {@code kill}), all registered with one JVM shutdown
 * hook that kills what is left. Broker JVMs start through {@code ParentWatchdog}, which halts them when the
 * test JVM is gone. {@code ContainerKafkaNodes}/{@code ContainerRedisNode} do the same with Testcontainers;
 * their classes are loaded only when the containers backend is chosen ({@code BackendSelector}).
 *
 * <p><b>Threading.</b> Node classes synchronise their state changes and may be called from any thread.
 *
 * <p><b>Failures.</b> Faults are {@link io.jobstream.testkit.TestkitException}s naming the process and its
 * log; {@code close()} never throws for a process that already died.
 */
package io.jobstream.testkit.internal;

/**
 * Jobstream's benchmarks: JMH micro-benchmarks of the hot paths (serialization) and the side-by-side harness {@link
 * io.jobstream.bench.Bench} ({@code jobstream bench}: drain, publish and io-bound scenarios against Kafka's own
 * performance tools and Confluent's Parallel Consumer, each run against a broker of its own).
 *
 * <p>Threading: a scenario runs on the calling thread, one side at a time; Kafka's tools run in-process with {@code
 * System.out} captured (so scenarios must not run concurrently in one JVM). Failure: a side that does not count every
 * job within 60 s without progress ends the scenario with an {@link IllegalStateException}; the broker it started is
 * closed either way.
 *
 * <p>Benchmarks are run by hand or by the harness, never as timed tests: figures go to {@code docs/BENCHMARKS.md}
 * with the command that produced them.
 */
package io.jobstream.bench;

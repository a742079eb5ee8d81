/**
 * Jobstream's benchmarks: JMH micro-benchmarks of the hot paths (serialization) and the side-by-side harness {@link
 * io.jobstream.bench.Bench} ({@code jobstream bench}): drain, publish, io-bound, retry (the dlq-service's failure
 * router and delay lateness), latency (publish → handler start at fixed rates) and coordination scenarios against
 * Kafka's own performance tools, a plain producer → consumer, Confluent's Parallel Consumer and {@code
 * redis-benchmark}, each run against a broker (or redis-server) of its own.
 *
 * <p>Threading: a scenario runs on the calling thread, one side at a time; Kafka's tools run in-process with {@code
 * System.out} captured (so scenarios must not run concurrently in one JVM). Failure: a side that does not count every
 * job within 60 s without progress, or a delayed job delivered before its due time, ends the scenario with an {@link
 * IllegalStateException}; the broker, redis-server and dlq-service it started are closed either way.
 *
 * <p>Benchmarks are run by hand or by the harness, never as timed tests: figures go to {@code docs/BENCHMARKS.md}
 * with the command that produced them.
 */
package io.jobstream.bench;

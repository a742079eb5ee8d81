/**
 * Jobstream's benchmarks: JMH micro-benchmarks of the hot paths (serialization now; the coordination scripts and
 * the processor's bookkeeping later) and, with the later issues, the side-by-side throughput and latency harness
 * ({@code jobstream bench}).
 *
 * <p>Benchmarks are run by hand or by the harness, never as timed tests: figures go to {@code docs/BENCHMARKS.md}
 * with the command that produced them.
 */
package io.jobstream.bench;

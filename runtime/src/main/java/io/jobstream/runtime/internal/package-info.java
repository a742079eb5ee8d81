/**
 * Mechanics behind {@code io.jobstream.runtime}: YAML flattening, {@code ${VAR}} substitution, value
 * parsing (durations, sizes), key and env var naming with typo suggestions, JAAS strings, the admin
 * endpoint's handlers and the readiness-check runner, and the ready-made checks. Not API: other
 * modules must not import it (the build checks).
 *
 * <p>Threading: everything here is stateless or immutable, except {@link
 * io.jobstream.runtime.internal.KafkaClusterCheck}, which guards its lazily created admin client with
 * its own lock. {@link io.jobstream.runtime.internal.Readiness} runs checks on the executor it is
 * given and interrupts those that overrun.
 *
 * <p>Failures: parsers throw {@link java.lang.IllegalArgumentException} without the key, for the
 * public API to wrap in a {@link io.jobstream.runtime.ConfigException} that names it; YAML and
 * substitution problems are returned as values or collected in a list, so all of them can be reported
 * at once; readiness checks turn every failure into a {@link io.jobstream.runtime.CheckResult.Down}.
 */
package io.jobstream.runtime.internal;

/**
 * The fault suite (issue 19): the whole system, as a user deploys it, under crashes, pauses and outages, judged by one
 * checker.
 *
 * <p>{@link io.jobstream.cli.faults.InvariantChecker} is pure logic over a {@link io.jobstream.cli.faults.History} —
 * the workload's accepted jobs and what the system wrote to {@code <queue>}, its delay tiers, {@code <queue>.events}
 * and {@code <queue>.dlq} — and reports lost, wrong, forked, order, early and schedule violations and the re-runs.
 * {@code FaultSuiteIT} runs the packaged jar as processes on a 3-broker cluster and redis-server, strikes each fault
 * once (CI) or random faults for {@code -Dfaults.duration} (by hand), and asserts every invariant at 0.
 */
package io.jobstream.cli.faults;

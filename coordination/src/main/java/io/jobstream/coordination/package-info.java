/**
 * Coordination between Jobstream processes on Dragonfly, Redis or Redis Cluster (or in memory for {@code jobstream
 * dev}): {@link io.jobstream.coordination.Locks locks} with fencing tokens, {@link
 * io.jobstream.coordination.Semaphore semaphores} whose permits are leases, shared {@link
 * io.jobstream.coordination.RateLimiter rate limiters}, the {@link io.jobstream.coordination.IdempotencyGuard
 * idempotency guard} and {@link io.jobstream.coordination.LeaderElection leader election}, all reached from {@link
 * io.jobstream.coordination.Coordination}.
 *
 * <p><b>Threading.</b> Every type here is thread-safe and meant for virtual threads: waiting parks the caller without
 * holding monitors. Leases are renewed by a daemon watchdog (every third of the lease) so that a dead JVM stops
 * renewing and its leases expire.
 *
 * <p><b>Failures.</b> Expected outcomes are values ({@code Optional.empty()} when a lock or permit was not had in
 * time, {@link io.jobstream.coordination.Claim} and {@link io.jobstream.coordination.RateDecision} variants). Faults
 * are exceptions: an unreachable store is a {@link io.jobstream.coordination.CoordinationUnavailableException}
 * (retriable, names the store's URI with the password masked); locks, semaphores and the guard always fail closed,
 * the rate limiter as {@link io.jobstream.coordination.CoordinationConfig#rateLimiterFailureMode()} says. A refusal
 * that will not pass by itself (an ACL denial) is a {@link io.jobstream.coordination.CoordinationException}.
 */
package io.jobstream.coordination;

/**
 * Mechanics of {@code io.jobstream.coordination}; not an API. {@link io.jobstream.coordination.internal.Backend} is
 * the set of atomic store operations, implemented on Redis by {@link io.jobstream.coordination.internal.RedisBackend}
 * (Lua scripts run with {@code EVALSHA}, every key passed in {@code KEYS}, one hash tag per primitive, see {@link
 * io.jobstream.coordination.internal.Keys}) and in memory by {@link
 * io.jobstream.coordination.internal.InMemoryBackend}. {@link io.jobstream.coordination.internal.BackendCoordination}
 * builds the public primitives on either.
 *
 * <p><b>Threading.</b> Backends are thread-safe; Redis calls share one multiplexed Lettuce connection. The watchdog has
 * one daemon scheduling thread and renews each lease on a fresh virtual thread.
 *
 * <p><b>Failures.</b> Backends translate Lettuce's exceptions: connection loss and timeouts become {@link
 * io.jobstream.coordination.CoordinationUnavailableException}, server refusals {@link
 * io.jobstream.coordination.CoordinationException}. Every call is replay-safe: a command Lettuce sends again after a
 * reconnect answers the same instead of applying twice. Acquisitions carry an id unique to them (holder or permit id,
 * {@code UniqueIds}) which the script recognises (a lock's owner value, a permit's member, a claim's state); lock and
 * claim releases leave a short-lived tombstone naming the holder; the rate limiter and semaphore releases, which
 * have no such identity, carry a request id whose answer the server keeps for the request-id retention.
 */
package io.jobstream.coordination.internal;

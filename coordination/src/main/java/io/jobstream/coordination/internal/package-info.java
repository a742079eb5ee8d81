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
 * io.jobstream.coordination.CoordinationException}. Non-idempotent scripts carry a request id whose answer the server
 * keeps briefly, so a command Lettuce replays after a reconnect answers the same instead of applying twice.
 */
package io.jobstream.coordination.internal;

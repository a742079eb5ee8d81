/**
 * Mechanics of the cron scheduler, not for other modules: cron expressions and their ticks ({@link
 * io.jobstream.scheduler.internal.CronTicks}, the only user of cron-utils) and the durable record of fired ticks
 * ({@link io.jobstream.scheduler.internal.TickLog}, kept in Kafka by {@link
 * io.jobstream.scheduler.internal.KafkaTickLog}: each tick's job and its schedule's marker in one transaction).
 *
 * <p>Threading: the tick log is used by the scheduler's one thread. Failure contract: a failed or fenced fire throws
 * and closes its producer, and the next {@code open()} (which fences every other writer) tells what was written; a
 * log that can never work throws {@link io.jobstream.scheduler.internal.TickLogUnusableException}.
 */
package io.jobstream.scheduler.internal;

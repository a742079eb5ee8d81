/**
 * The cron scheduler: {@link io.jobstream.scheduler.CronScheduler} publishes a job at every tick of each {@link
 * io.jobstream.scheduler.Schedule} (five-field cron, macros, {@code @every}), once per tick however many replicas
 * run, configured by {@link io.jobstream.scheduler.SchedulerConfig} ({@code jobstream.scheduler.*}); missed ticks
 * follow the schedule's {@link io.jobstream.scheduler.MisfirePolicy}. Replicas elect a leader in the coordination
 * store; the record of fired ticks is in Kafka (a marker topic written in one transaction with each tick's job).
 *
 * <p>Threading: one scheduling thread per {@code CronScheduler} fires ticks; the scheduler is thread-safe to start,
 * query and close. Failure contract: a fault that may pass (a broker or the coordination store down, a fence by
 * another replica) is retried at the next check and nothing fires meanwhile (fail closed); a tick log that can never
 * work stops the scheduler for good and {@code failure()} says why. Configuration errors are {@link
 * io.jobstream.runtime.ConfigException}s naming the key.
 */
package io.jobstream.scheduler;

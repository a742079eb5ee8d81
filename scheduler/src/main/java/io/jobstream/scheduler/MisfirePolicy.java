package io.jobstream.scheduler;

/**
 * What a {@link CronScheduler} does with ticks it missed while no replica was running (older than the misfire grace).
 * Ticks missed for less than the grace — e.g. while leadership moved to another replica — are always fired.
 */
public enum MisfirePolicy {
    /** Forget them; fire again from the next tick (the default, like cron). */
    SKIP,
    /** Fire the latest missed tick once, then carry on. */
    FIRE_ONCE
}

package io.jobstream.schemas;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The delay tiers of a deployment: the fixed delays that have a {@code <queue>.delay.<tier>} topic, and the rule
 * that picks one for a job that is not yet due.
 *
 * <p>The rule, shared by the publisher (delayed jobs), the failure router (retry backoff) and the delay forwarder:
 * a job waiting {@code R} goes to the <em>largest tier not longer than {@code R}</em>, so a tier never holds a job
 * past its due time. When a tier releases the job (its fixed delay after the job entered it), the forwarder asks
 * again with what is left and the job hops down the tiers until it is due.
 *
 * <p>Never early: a job still waiting less than the smallest tier goes to the smallest tier, whose forwarder holds
 * it until its {@code jobstream.due-at} (a forwarder releases a record at the earlier of its tier's end and its due
 * time), so it is delivered on time rather than up to one tier early. Only a job already due ({@code R <= 0}) has no
 * tier: it goes to the queue itself.
 *
 * <p>One allowance: a wait within {@link #tolerance()} (a tenth of the smallest tier, 100 ms by default) below a tier
 * counts as that tier. A job delayed by exactly ten minutes and published a few milliseconds later thus waits in the
 * {@code 10m} tier, arriving those milliseconds late, instead of hopping down through {@code 2m}, {@code 30s},
 * {@code 5s} and {@code 1s} seventeen times.
 *
 * <p>Tier names are {@link Topics#tierName(Duration)}: {@code 1s}, {@code 5s}, {@code 30s}, {@code 2m}, {@code 10m},
 * {@code 1h}, {@code 6h} by default. Immutable and thread-safe.
 */
public final class DelayTiers {
    /** The default tiers: 1s, 5s, 30s, 2m, 10m, 1h, 6h. */
    public static final List<Duration> DEFAULT_TIERS = List.of(
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            Duration.ofMinutes(10),
            Duration.ofHours(1),
            Duration.ofHours(6));

    private static final DelayTiers DEFAULTS = new DelayTiers(DEFAULT_TIERS);

    private final List<Duration> tiers;
    private final Duration tolerance;

    private DelayTiers(List<Duration> tiers) {
        Objects.requireNonNull(tiers, "tiers");
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("delay tiers must not be empty");
        }
        List<Duration> sorted = new ArrayList<>();
        for (Duration tier : tiers) {
            Topics.tierName(tier); // positive whole milliseconds, or IllegalArgumentException
            if (sorted.contains(tier)) {
                throw new IllegalArgumentException("delay tier " + Topics.tierName(tier) + " is listed twice");
            }
            sorted.add(tier);
        }
        sorted.sort(null);
        this.tiers = List.copyOf(sorted);
        this.tolerance = this.tiers.getFirst().dividedBy(10);
    }

    /** The default tiers ({@link #DEFAULT_TIERS}). */
    public static DelayTiers defaults() {
        return DEFAULTS;
    }

    /**
     * The given tiers, in any order.
     *
     * @throws IllegalArgumentException when empty, when a tier is not a positive whole number of milliseconds, or
     *     when one is listed twice
     */
    public static DelayTiers of(List<Duration> tiers) {
        return new DelayTiers(tiers);
    }

    /** The given tiers, in any order (see {@link #of(List)}). */
    public static DelayTiers of(Duration... tiers) {
        return new DelayTiers(List.of(tiers));
    }

    /**
     * Tiers written like {@code 1s}, {@code 500ms}, {@code 2m}, {@code 6h} (see {@link Topics#parseTier(String)}).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static DelayTiers parse(List<String> tiers) {
        Objects.requireNonNull(tiers, "tiers");
        return new DelayTiers(tiers.stream().map(Topics::parseTier).toList());
    }

    /** The tiers, shortest first. */
    public List<Duration> tiers() {
        return tiers;
    }

    /** The tier names, shortest first ({@code 1s}, {@code 5s}, ...). */
    public List<String> names() {
        return tiers.stream().map(Topics::tierName).toList();
    }

    /** The shortest tier: the precision of a delay. */
    public Duration smallest() {
        return tiers.getFirst();
    }

    /** The longest tier. */
    public Duration largest() {
        return tiers.getLast();
    }

    /** How far below a tier a wait may be and still use it: a tenth of the smallest tier. */
    public Duration tolerance() {
        return tolerance;
    }

    /**
     * The largest tier not longer than {@code remaining} plus the {@link #tolerance()}, or the smallest tier when
     * {@code remaining} is positive but shorter than that (the forwarder then holds the job until it is due); empty
     * only when the job is due now ({@code remaining} is zero or negative).
     */
    public Optional<Duration> tierFor(Duration remaining) {
        Objects.requireNonNull(remaining, "remaining");
        if (remaining.isNegative() || remaining.isZero()) {
            return Optional.empty();
        }
        Duration allowed = remaining.plus(tolerance);
        Duration chosen = null;
        for (Duration tier : tiers) {
            if (tier.compareTo(allowed) > 0) {
                break;
            }
            chosen = tier;
        }
        return Optional.of(chosen == null ? smallest() : chosen);
    }

    /** {@link #tierFor(Duration)} for a job due at {@code dueAt}, seen at {@code now}. */
    public Optional<Duration> tierFor(Instant dueAt, Instant now) {
        return tierFor(Duration.between(now, dueAt));
    }

    /** Whether {@code tier} is one of these tiers. */
    public boolean contains(Duration tier) {
        return tiers.contains(tier);
    }

    /**
     * {@code <queue>.delay.<tier>} for one of these tiers.
     *
     * @throws IllegalArgumentException when {@code tier} is not one of them, or the queue name is invalid
     */
    public String topic(String queue, Duration tier) {
        if (!contains(tier)) {
            throw new IllegalArgumentException(
                    "delay tier " + Topics.tierName(tier) + " is not one of the configured tiers " + names());
        }
        return Topics.delay(queue, tier);
    }

    /** Every delay topic of {@code queue}, shortest tier first. */
    public List<String> topics(String queue) {
        return tiers.stream().map(tier -> Topics.delay(queue, tier)).toList();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DelayTiers that && tiers.equals(that.tiers);
    }

    @Override
    public int hashCode() {
        return tiers.hashCode();
    }

    /** Like {@code DelayTiers[1s, 5s, 30s]}. */
    @Override
    public String toString() {
        return "DelayTiers" + names();
    }
}

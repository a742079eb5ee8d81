package io.jobstream.scheduler.internal;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ticks of a cron expression: Unix cron via cron-utils, the usual macros, and {@code @every <duration>} aligned to
 * the epoch. Immutable and thread-safe.
 */
public final class CronTicks {
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Pattern EVERY = Pattern.compile("@every\\s+(\\d+)\\s*(ms|s|m|h|d)");
    private static final Map<String, String> MACROS = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");

    private final ExecutionTime cron;
    private final ZoneId zone;
    private final long everyMillis;

    private CronTicks(ExecutionTime cron, ZoneId zone, long everyMillis) {
        this.cron = cron;
        this.zone = zone;
        this.everyMillis = everyMillis;
    }

    /**
     * Parses {@code expression}.
     *
     * @throws IllegalArgumentException naming the expression and what is wrong with it
     */
    public static CronTicks parse(String expression, ZoneId zone) {
        String text = expression.strip().toLowerCase(Locale.ROOT);
        Matcher every = EVERY.matcher(text);
        if (every.matches()) {
            long amount = Long.parseLong(every.group(1));
            Duration unit =
                    switch (every.group(2)) {
                        case "ms" -> Duration.ofMillis(1);
                        case "s" -> Duration.ofSeconds(1);
                        case "m" -> Duration.ofMinutes(1);
                        case "h" -> Duration.ofHours(1);
                        default -> Duration.ofDays(1);
                    };
            long millis = unit.toMillis() * amount;
            if (millis < 1_000) {
                throw new IllegalArgumentException("cron '" + expression + "': @every needs at least 1s");
            }
            return new CronTicks(null, zone, millis);
        }
        if (text.startsWith("@every")) {
            throw new IllegalArgumentException(
                    "cron '" + expression + "': expected @every <number><ms|s|m|h|d>, e.g. @every 5m");
        }
        String unix = MACROS.getOrDefault(text, expression.strip());
        try {
            return new CronTicks(ExecutionTime.forCron(UNIX.parse(unix).validate()), zone, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "cron '" + expression + "' is not a valid Unix cron expression ("
                            + "minute hour day-of-month month day-of-week) or macro: " + e.getMessage(),
                    e);
        }
    }

    /** The ticks in {@code (after, upTo]}, oldest first, at most {@code limit}. */
    public List<Instant> between(Instant after, Instant upTo, int limit) {
        List<Instant> ticks = new ArrayList<>();
        if (!upTo.isAfter(after)) {
            return ticks;
        }
        if (everyMillis > 0) {
            long first = Math.floorDiv(after.toEpochMilli(), everyMillis) * everyMillis + everyMillis;
            for (long t = first; t <= upTo.toEpochMilli() && ticks.size() < limit; t += everyMillis) {
                ticks.add(Instant.ofEpochMilli(t));
            }
            return ticks;
        }
        ZonedDateTime cursor = after.atZone(zone);
        while (ticks.size() < limit) {
            Optional<ZonedDateTime> next = cron.nextExecution(cursor);
            if (next.isEmpty() || next.get().toInstant().isAfter(upTo)) {
                break;
            }
            ticks.add(next.get().toInstant());
            cursor = next.get();
        }
        return ticks;
    }

    /** The latest tick at or before {@code at}. */
    public Optional<Instant> lastAtOrBefore(Instant at) {
        if (everyMillis > 0) {
            return Optional.of(Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), everyMillis) * everyMillis));
        }
        List<Instant> exact = between(at.minusMillis(1), at, 1);
        if (!exact.isEmpty()) {
            return Optional.of(exact.get(0));
        }
        return cron.lastExecution(at.atZone(zone)).map(ZonedDateTime::toInstant);
    }
}

package io.jobstream.processor;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handlers that come with Jobstream, for demos, tests and benchmarks ({@code jobstream worker --handler TYPE=NAME}):
 *
 * <ul>
 *   <li>{@code noop}: does nothing and succeeds.
 *   <li>{@code sleep}: payload {@code {"ms": 250}}; sleeps that long (interruptible, so job timeouts apply).
 *   <li>{@code fail}: payload {@code {"times": 2}} fails the first two attempts and then succeeds; {@code {"always":
 *       true}} fails every attempt; {@code {"nonRetryable": true}} fails with a {@link NonRetryableException}.
 *   <li>{@code log}: logs the job (id, type, attempt, payload up to 200 characters) at INFO and succeeds.
 * </ul>
 */
public final class BuiltinHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(BuiltinHandlers.class);
    private static final int LOGGED_PAYLOAD = 200;

    /** The names of the built-in handlers. */
    public static final List<String> NAMES = List.of("noop", "sleep", "fail", "log");

    private BuiltinHandlers() {}

    /** The payload of {@code sleep}. */
    public record Sleep(long ms) {}

    /** The payload of {@code fail}: fail the first {@code times} attempts, or {@code always}. */
    public record Fail(Integer times, Boolean always, Boolean nonRetryable) {}

    /** Thrown by the {@code fail} handler when it fails as asked (a retryable handler error). */
    public static final class AskedToFail extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AskedToFail(String message) {
            super(message);
        }
    }

    /**
     * Registers the built-in handler {@code name} for jobs of type {@code jobType} on {@code builder}.
     *
     * @throws IllegalArgumentException naming the built-ins when {@code name} is not one of them
     */
    public static JobProcessor.Builder register(JobProcessor.Builder builder, String jobType, String name) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(jobType, "jobType");
        return switch (Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT)) {
            case "noop" -> builder.handle(jobType, (ctx, payload) -> {});
            case "sleep" -> builder.handle(jobType, Sleep.class, (ctx, sleep) -> Thread.sleep(Math.max(0, sleep.ms())));
            case "fail" -> builder.handle(jobType, Fail.class, BuiltinHandlers::fail);
            case "log" -> builder.handle(jobType, BuiltinHandlers::log);
            default ->
                throw new IllegalArgumentException(
                        "no built-in handler '" + name + "'; the built-ins are " + String.join(", ", NAMES));
        };
    }

    /** Registers every built-in handler under its own name as the job type ({@code noop} jobs run {@code noop}...). */
    public static JobProcessor.Builder registerAll(JobProcessor.Builder builder) {
        for (String name : NAMES) {
            register(builder, name, name);
        }
        return builder;
    }

    private static void fail(JobContext ctx, Fail fail) {
        boolean always = fail != null && Boolean.TRUE.equals(fail.always());
        int times = fail == null || fail.times() == null ? 0 : fail.times();
        if (always || ctx.attempt() <= times) {
            String message = always
                    ? "fail handler: fails every attempt as asked (attempt " + ctx.attempt() + ")"
                    : "fail handler: fails attempt " + ctx.attempt() + " of the first " + times + " as asked";
            if (fail != null && Boolean.TRUE.equals(fail.nonRetryable())) {
                throw new NonRetryableException(message);
            }
            throw new AskedToFail(message);
        }
    }

    private static void log(JobContext ctx, byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.length() > LOGGED_PAYLOAD) {
            text = text.substring(0, LOGGED_PAYLOAD) + "...";
        }
        LOG.info(
                "job queue={} type={} id={} attempt={} payload={}",
                ctx.queue(),
                ctx.type(),
                ctx.id(),
                ctx.attempt(),
                text.replace('\n', ' '));
    }
}

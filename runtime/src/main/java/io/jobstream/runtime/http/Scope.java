package io.jobstream.runtime.http;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a token may do, each for the queues it lists ({@link AccessToken}). */
public enum Scope {
    /** Publish jobs to the queue ({@code POST /v1/queues/{q}/jobs}, {@code jobs:batch}). */
    PUBLISH("publish"),
    /** Read the status and history of the queue's jobs ({@code GET /v1/jobs/{id}}). */
    STATUS_READ("status:read"),
    /** List and show the queue's dead letters ({@code GET /v1/queues/{q}/dlq*}). */
    DLQ_READ("dlq:read"),
    /** Replay the queue's dead letters ({@code POST /v1/queues/{q}/dlq:replay}). */
    DLQ_REPLAY("dlq:replay"),
    /** Every operator route of the queue; implies every other scope. */
    ADMIN("admin");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    /** The name in config and messages ({@code dlq:read}). */
    public String wireName() {
        return wireName;
    }

    /** The scope named {@code name} ({@code status:read}), case-insensitive. */
    public static Optional<Scope> parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.wireName.equals(wanted)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}

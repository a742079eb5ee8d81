package io.jobstream.api.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where an {@code Idempotency-Key} (header or a batch item's {@code idempotencyKey}) applies: one token on one queue.
 * The same key from another token or for another queue is another request, with another job id. With auth off every
 * caller is {@code anonymous} and the scope is the queue alone, so ids stay what they were before scoping ({@code
 * Ulid.fromName(queue + "/" + key)}); with auth on the id is {@code Ulid.fromName(queue + "/" + token + "/" + key)}.
 * Stateless and thread-safe.
 */
public final class IdempotencyScope {
    /** The client name used when auth is off. */
    public static final String ANONYMOUS = "anonymous";

    private IdempotencyScope() {}

    /**
     * The prefix of job ids derived from keys of {@code token} on {@code queue} (queue names hold no {@code /}, token
     * names no {@code /} either, so two scopes never share a prefix).
     */
    public static String idPrefix(String token, String queue) {
        return token.equals(ANONYMOUS) ? queue : queue + "/" + token;
    }

    /** The key of {@link IdempotencyCache} for {@code key} sent by {@code token} to {@code queue}. */
    public static String cacheKey(String token, String queue, String key) {
        return token + "\n" + queue + "\n" + key;
    }

    /** The fingerprint of a request body: a repeat with another body is a conflict. */
    public static byte[] fingerprint(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** {@code 409 IDEMPOTENCY_KEY_REUSED}. */
    static ApiProblem reused() {
        return new ApiProblem(
                409,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was used with another request body; use a new key for a new job");
    }
}

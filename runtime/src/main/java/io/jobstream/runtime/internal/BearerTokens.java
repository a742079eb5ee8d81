package io.jobstream.runtime.internal;

import io.jobstream.runtime.http.AccessToken;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Finds the token a client presented, in time that depends neither on which token matched nor on how much of it: the
 * presented and the known tokens are compared as SHA-256 digests (equal length whatever was sent) with {@link
 * MessageDigest#isEqual}, against every known token, without stopping at a match.
 */
public final class BearerTokens {
    private record Known(AccessToken token, byte[] digest) {}

    private final List<Known> known;
    private final BiPredicate<byte[], byte[]> equal;

    /** Compares with {@link MessageDigest#isEqual}. */
    public BearerTokens(List<AccessToken> tokens) {
        this(tokens, MessageDigest::isEqual);
    }

    /** Compares with {@code equal} (tests count the comparisons). */
    BearerTokens(List<AccessToken> tokens, BiPredicate<byte[], byte[]> equal) {
        this.known = tokens.stream()
                .map(t -> new Known(t, sha256(t.secret().value())))
                .toList();
        this.equal = equal;
    }

    /** The token whose secret is {@code presented}, comparing with every token. */
    public Optional<AccessToken> find(String presented) {
        byte[] digest = sha256(presented);
        AccessToken matched = null;
        for (Known candidate : known) {
            boolean same = equal.test(candidate.digest(), digest);
            if (same && matched == null) {
                matched = candidate.token();
            }
        }
        return Optional.ofNullable(matched);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

package io.jobstream.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.Scope;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The token check takes the same path whatever is presented: every token compared, digests of equal length. */
class BearerTokensTest {
    private static final List<AccessToken> TOKENS = List.of(
            AccessToken.of("first", "first-secret-0123456789", Set.of(Scope.PUBLISH), Set.of("*")),
            AccessToken.of("second", "second-secret-0123456789", Set.of(Scope.PUBLISH), Set.of("*")),
            AccessToken.of("third", "third-secret-0123456789", Set.of(Scope.PUBLISH), Set.of("*")));

    private final List<int[]> comparisons = new ArrayList<>();
    private final BearerTokens tokens = new BearerTokens(TOKENS, (known, presented) -> {
        comparisons.add(new int[] {known.length, presented.length});
        return MessageDigest.isEqual(known, presented);
    });

    @Test
    void aMatchOnTheFirstTokenStillComparesWithEveryToken() {
        assertThat(tokens.find("first-secret-0123456789"))
                .map(AccessToken::name)
                .contains("first");
        assertThat(comparisons).hasSize(3);
    }

    @Test
    void aWrongTokenOfAnyLengthComparesEqualLengthDigestsWithEveryToken() {
        assertThat(tokens.find("x")).isEmpty();
        assertThat(tokens.find("first-secret-012345678")).isEmpty(); // a prefix of a real one
        assertThat(tokens.find("y".repeat(10_000))).isEmpty();

        assertThat(comparisons).hasSize(9).allSatisfy(lengths -> assertThat(lengths)
                .containsExactly(32, 32));
    }

    @Test
    void theLastTokenIsFoundAsTheFirstIs() {
        assertThat(tokens.find("third-secret-0123456789"))
                .map(AccessToken::name)
                .contains("third");
        assertThat(comparisons).hasSize(3);
    }
}

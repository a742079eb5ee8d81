package io.jobstream.coordination.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KeysTest {

    private static final Pattern SCHEME = Pattern.compile("jobstream:\\{([^{}]+)}:[a-z0-9:-]+");

    @Test
    void everyKeyOfOnePrimitiveSharesOneHashTag() {
        assertOneTag(List.of(
                Keys.lockOwner("acct-1"),
                Keys.lockFence("acct-1"),
                Keys.lockReleased("acct-1"),
                Keys.request(Keys.lockOwner("acct-1"), "5f0c-1")));
        assertOneTag(List.of(
                Keys.semaphorePermits("stripe-api"),
                Keys.semaphoreReleased("stripe-api"),
                Keys.request(Keys.semaphorePermits("stripe-api"), "r")));
        assertOneTag(List.of(Keys.rateTat("smtp"), Keys.request(Keys.rateTat("smtp"), "r")));
        assertOneTag(List.of(
                Keys.claimState("01J9"), Keys.claimReleased("01J9"), Keys.request(Keys.claimState("01J9"), "r")));
    }

    @Test
    void keysFollowTheHouseScheme() {
        assertThat(Keys.lockOwner("acct-1")).isEqualTo("jobstream:{lock:acct-1}:owner");
        assertThat(Keys.semaphorePermits("stripe-api")).isEqualTo("jobstream:{semaphore:stripe-api}:permits");
        assertThat(Keys.rateTat("smtp")).isEqualTo("jobstream:{rate:smtp}:tat");
        assertThat(Keys.claimState("01J9")).isEqualTo("jobstream:{idempotency:01J9}:state");
    }

    private static void assertOneTag(List<String> keys) {
        String tag = null;
        for (String key : keys) {
            Matcher matcher = SCHEME.matcher(key);
            assertThat(matcher.matches()).as(key).isTrue();
            if (tag == null) {
                tag = matcher.group(1);
            }
            assertThat(matcher.group(1)).as(key).isEqualTo(tag);
        }
    }
}

package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestTopicsTest {

    private static TestTopics topics(String testName) {
        return new TestTopics(testName, () -> {
            throw new AssertionError("naming must not need a cluster");
        });
    }

    @Test
    void namesCarryTheBaseTheTestAndANumber() {
        // When
        String name = topics("retriesFailedJob").unique("jobs");

        // Then
        assertThat(name).matches("jobs-retries-failed-job-\\d+");
    }

    @Test
    void everyCallGivesANewName() {
        TestTopics topics = topics("sameTest");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            names.add(topics.unique("jobs"));
        }
        assertThat(names).hasSize(100);
    }

    @Test
    void namesUseOnlyLowercaseLettersDigitsDotsAndDashes() {
        // Given a parameterized test's display name and an odd base
        String name = topics("[1] Emails_With Spaces & Ümlauts").unique("Emails_Queue.failed");

        // Then
        assertThat(name).matches("[a-z0-9.-]+").startsWith("emails-queue.failed-1-emails-with-spaces");
    }

    @Test
    void longTestNamesAreShortened() {
        String name = topics("a".repeat(500)).unique("jobs");
        assertThat(name.length()).isLessThan(100);
    }

    @Test
    void baseWithoutLettersIsRejected() {
        assertThatThrownBy(() -> topics("t").unique("___"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base must contain a letter or digit");
    }
}

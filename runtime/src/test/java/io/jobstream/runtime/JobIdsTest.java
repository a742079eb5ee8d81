package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobIdsTest {
    @Test
    void ulidsUuidsAndBusinessIdsUpTo128CharactersAreValid() {
        for (String id : List.of(
                "01JF3Z6T6N8W4Q9V2K7X5R1M0P",
                "3f2b8c1e-5d4a-4e9b-8c7d-1a2b3c4d5e6f",
                "order-7",
                "tenant:acme.invoice_2026@v1+x=y~z",
                "a".repeat(128))) {
            assertThat(JobIds.problem(id)).as(id).isEmpty();
        }
    }

    @Test
    void emptyTooLongAndHostileCharactersAreInvalidWithoutEchoingTheId() {
        for (String id : List.of(
                "", "a".repeat(129), "a\r\nforged=1", "x}{y", "../other", "a b", "50%", "q/id", "é", "a\u0000b")) {
            assertThat(JobIds.isValid(id)).as(id).isFalse();
            assertThat(JobIds.problem(id).orElseThrow()).doesNotContain("\n").doesNotContain("forged");
        }
        assertThat(JobIds.isValid(null)).isFalse();
    }
}

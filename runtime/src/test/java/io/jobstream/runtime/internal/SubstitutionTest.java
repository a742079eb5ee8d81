package io.jobstream.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SubstitutionTest {
    private static final Map<String, String> ENV = Map.of("HOST", "broker", "EMPTY", "");

    @Test
    void replacesReferencesAndDefaults() {
        assertThat(Substitution.resolve("${HOST}:${PORT:-9092}", ENV))
                .isEqualTo(new Substitution.Result.Resolved("broker:9092"));
    }

    @Test
    void defaultAppliesToEmptyVariablesAsInTheShell() {
        assertThat(Substitution.resolve("${EMPTY:-x}", ENV)).isEqualTo(new Substitution.Result.Resolved("x"));
        assertThat(Substitution.resolve("[${EMPTY}]", ENV)).isEqualTo(new Substitution.Result.Resolved("[]"));
    }

    @Test
    void doubledDollarIsALiteral() {
        assertThat(Substitution.resolve("$${HOST} costs $5", ENV))
                .isEqualTo(new Substitution.Result.Resolved("${HOST} costs $5"));
    }

    @Test
    void unsetVariableWithoutDefaultIsUnresolvedNamingIt() {
        assertThat(Substitution.resolve("${PASSWORD}", ENV))
                .isInstanceOfSatisfying(Substitution.Result.Unresolved.class, u -> assertThat(u.problem())
                        .contains("PASSWORD"));
    }

    @Test
    void lowerCaseReferencesAreTemplatesLeftAsWritten() {
        // Given references that name no environment variable but a job's field, as key templates do
        // When substituted, Then they are kept, while an upper-case one beside them is resolved
        assertThat(Substitution.resolve("acct-${payload.accountId}@${HOST}", ENV))
                .isEqualTo(new Substitution.Result.Resolved("acct-${payload.accountId}@broker"));
        assertThat(Substitution.resolve("${id}/${header.x-tenant}/${payload.items[0]}", ENV))
                .isEqualTo(new Substitution.Result.Resolved("${id}/${header.x-tenant}/${payload.items[0]}"));
    }

    @Test
    void malformedReferencesAreUnresolved() {
        assertThat(Substitution.resolve("${HOST", ENV)).isInstanceOf(Substitution.Result.Unresolved.class);
        assertThat(Substitution.resolve("${9X}", ENV)).isInstanceOf(Substitution.Result.Unresolved.class);
    }
}

package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordTest {
    @Test
    void placeholdersFromExamplesAreRefusedNamingTheKeyNotTheValue() {
        for (String shipped :
                new String[] {"change-me-to-a-long-secret", "CHANGEME", "admin", "Secret ", "placeholder-1"}) {
            assertThat(Password.of(shipped).isPlaceholder()).as(shipped).isTrue();
            assertThatThrownBy(() -> Password.of(shipped).requireReal("jobstream.api.tokens.demo.token"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("jobstream.api.tokens.demo.token is a placeholder")
                    .hasMessageNotContaining(shipped.trim());
        }
    }

    @Test
    void aRandomSecretIsNotAPlaceholderAndNeverPrinted() {
        Password real = Password.of("9f86d081884c7d659a2feaa0c55ad015");
        assertThat(real.isPlaceholder()).isFalse();
        assertThat(real.requireReal("k")).isSameAs(real);
        assertThat(real.toString()).doesNotContain("9f86d081");
    }
}

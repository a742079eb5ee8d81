package io.jobstream.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.SaslMechanism;
import java.time.Duration;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

    @Test
    void parsesDurationsInEveryUnitAndCombined() {
        assertThat(Values.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Values.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Values.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Values.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Values.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Values.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Values.parseDuration(" PT15S ")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Values.parseDuration("0")).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "5 minutes", "-1s", "1.5s", "s", "PT-1S", "10x"})
    void rejectsWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> Values.parseDuration(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsDurationsTheWayTheyAreRead() {
        assertThat(Values.formatDuration(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Values.formatDuration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Values.formatDuration(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Values.formatDuration(Duration.ZERO)).isEqualTo("0s");
        assertThat(Values.parseDuration(Values.formatDuration(Duration.ofMillis(90_061_001))))
                .isEqualTo(Duration.ofMillis(90_061_001));
    }

    @Test
    void parsesSizesWithBinaryUnits() {
        assertThat(Values.parseSize("1MiB")).isEqualTo(1L << 20);
        assertThat(Values.parseSize("512KiB")).isEqualTo(512L * 1024);
        assertThat(Values.parseSize("2GiB")).isEqualTo(2L << 30);
        assertThat(Values.parseSize("100")).isEqualTo(100);
        assertThat(Values.parseSize("100B")).isEqualTo(100);
        assertThat(Values.formatSize(1L << 20)).isEqualTo("1MiB");
        assertThat(Values.formatSize(1000)).isEqualTo("1000B");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1MB", "1 mb", "-1KiB", "1.5MiB", "KiB", "99999999999TiB"})
    void rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> Values.parseSize(text)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void parsesListsBooleansAndEnums() {
        assertThat(Values.parseList(" a, b ,,c ")).containsExactly("a", "b", "c");
        assertThat(Values.parseBoolean("TRUE")).isTrue();
        assertThatThrownBy(() -> Values.parseBoolean("yes")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Values.parseEnum(SecurityProtocol.class, "sasl-ssl")).isEqualTo(SecurityProtocol.SASL_SSL);
        assertThat(Values.parseEnum(SaslMechanism.class, "scram-sha-256")).isEqualTo(SaslMechanism.SCRAM_SHA_256);
        assertThatThrownBy(() -> Values.parseEnum(SaslMechanism.class, "GSSAPI"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

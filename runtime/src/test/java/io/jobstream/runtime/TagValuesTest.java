package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TagValuesTest {

    @Test
    void theFirstValuesKeepTheirNameAndLaterOnesAreOther() {
        // Given a tag keeping 3 values
        TagValues types = new TagValues(3);

        // When 200 distinct values arrive, the first ones again in between
        Set<String> reported = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            reported.add(types.of("type-" + i));
            reported.add(types.of("type-0"));
        }

        // Then 3 values and "other" were reported, and a kept value stays itself
        assertThat(reported).containsExactlyInAnyOrder("type-0", "type-1", "type-2", TagValues.OTHER);
        assertThat(types.of("type-2")).isEqualTo("type-2");
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new TagValues(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

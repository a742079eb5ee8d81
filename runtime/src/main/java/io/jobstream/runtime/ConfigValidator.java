package io.jobstream.runtime;

import io.jobstream.runtime.internal.Values;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A rule a setting's value must satisfy, checked when the configuration is loaded.
 *
 * @param <T> the type of the values it checks
 */
@FunctionalInterface
public interface ConfigValidator<T> {

    /** Empty when {@code value} is fine, otherwise what is wrong ("must be at least 1"). */
    Optional<String> problem(T value);

    /** The rule in words for the docs ("1 to 1024"); empty when there is nothing to say. */
    default String describe() {
        return "";
    }

    /** Between {@code min} and {@code max}, both included. */
    static <T extends Comparable<? super T>> ConfigValidator<T> range(T min, T max) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        String rule = Values.describe(min) + " to " + Values.describe(max);
        return new ConfigValidator<>() {
            @Override
            public Optional<String> problem(T value) {
                return value.compareTo(min) < 0 || value.compareTo(max) > 0
                        ? Optional.of("must be from " + rule)
                        : Optional.empty();
            }

            @Override
            public String describe() {
                return rule;
            }
        };
    }

    /** At least {@code min}. */
    static <T extends Comparable<? super T>> ConfigValidator<T> atLeast(T min) {
        Objects.requireNonNull(min, "min");
        String rule = "at least " + Values.describe(min);
        return new ConfigValidator<>() {
            @Override
            public Optional<String> problem(T value) {
                return value.compareTo(min) < 0 ? Optional.of("must be " + rule) : Optional.empty();
            }

            @Override
            public String describe() {
                return rule;
            }
        };
    }

    /** Not empty and not only whitespace. */
    static ConfigValidator<String> notBlank() {
        return new ConfigValidator<>() {
            @Override
            public Optional<String> problem(String value) {
                return value.isBlank() ? Optional.of("must not be blank") : Optional.empty();
            }

            @Override
            public String describe() {
                return "not blank";
            }
        };
    }

    /**
     * Values passing {@code test}; any other is reported as {@code "must be " + rule}, and {@code rule} is what the
     * docs say ("a queue name: lowercase letters, digits, '.' and '-'").
     */
    static <T> ConfigValidator<T> satisfying(String rule, Predicate<? super T> test) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(test, "test");
        return new ConfigValidator<>() {
            @Override
            public Optional<String> problem(T value) {
                return test.test(value) ? Optional.empty() : Optional.of("must be " + rule);
            }

            @Override
            public String describe() {
                return rule;
            }
        };
    }
}

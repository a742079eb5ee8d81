package io.jobstream.schemas;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@link JobSerde} and {@link JobDecoder} write and read records. Immutable; validated at construction, naming
 * the setting's key in every error.
 *
 * <p>Decoding always detects the format from the first bytes, whatever {@code writeFormat} says: Avro single-object
 * encoding always, the Confluent wire format when a registry is configured, and (for {@link Job} only) the JSON
 * envelope.
 *
 * @param writeFormat the format serializers write ({@value #WRITE_FORMAT}, default {@code single-object})
 * @param registry the schema registry, required for {@link WireFormat#CONFLUENT}; null when none is configured
 */
public record SerdeConfig(WireFormat writeFormat, SchemaRegistryConfig registry) {

    /** Format serializers write: {@code single-object} (default) or {@code confluent}. */
    public static final String WRITE_FORMAT = "jobstream.schemas.write-format";

    /** The binary formats serializers can write. */
    public enum WireFormat {
        /** Avro single-object encoding: {@code C3 01}, 8-byte CRC-64-AVRO fingerprint, Avro binary. No registry. */
        SINGLE_OBJECT,
        /** Confluent wire format: {@code 00}, 4-byte big-endian schema id, Avro binary. Needs a registry. */
        CONFLUENT;

        static WireFormat parse(String value) {
            String normalized = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
            for (WireFormat format : values()) {
                if (format.name().equals(normalized)) {
                    return format;
                }
            }
            throw new IllegalArgumentException(
                    WRITE_FORMAT + " must be single-object or confluent, got '" + value + "'");
        }
    }

    public SerdeConfig {
        if (writeFormat == null) {
            throw new IllegalArgumentException(WRITE_FORMAT + " must be set");
        }
        if (writeFormat == WireFormat.CONFLUENT && registry == null) {
            throw new IllegalArgumentException(
                    WRITE_FORMAT + "=confluent needs a schema registry: set " + SchemaRegistryConfig.URL);
        }
    }

    /** The default: write single-object encoding, no registry. */
    public static SerdeConfig singleObject() {
        return new SerdeConfig(WireFormat.SINGLE_OBJECT, null);
    }

    /** Write single-object encoding; read the Confluent format too, from the given registry. */
    public static SerdeConfig singleObject(SchemaRegistryConfig registry) {
        return new SerdeConfig(WireFormat.SINGLE_OBJECT, registry);
    }

    /** Write the Confluent wire format, registering schemas under {@code <topic>-value} in the given registry. */
    public static SerdeConfig confluent(SchemaRegistryConfig registry) {
        return new SerdeConfig(WireFormat.CONFLUENT, registry);
    }

    /** Reads {@value #WRITE_FORMAT} and the {@code jobstream.schemas.registry.*} keys (see {@link SchemaRegistryConfig}). */
    public static SerdeConfig fromMap(Map<String, ?> settings) {
        Object format = settings.get(WRITE_FORMAT);
        return new SerdeConfig(
                format == null ? WireFormat.SINGLE_OBJECT : WireFormat.parse(format.toString()),
                SchemaRegistryConfig.fromMap(settings));
    }

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    static Duration duration(Map<String, ?> settings, String key, Duration defaultValue) {
        Object value = settings.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Duration duration) {
            return duration;
        }
        if (value instanceof Number number) {
            return Duration.ofMillis(number.longValue());
        }
        String text = value.toString().strip().toLowerCase(Locale.ROOT);
        try {
            if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
                return Duration.ofMillis(Long.parseLong(text));
            }
            Matcher m = SIMPLE_DURATION.matcher(text);
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            }
            return Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(
                    key + " must be a duration like 500ms, 5s or PT5S, got '" + value + "'", e);
        }
    }
}

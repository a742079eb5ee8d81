package io.jobstream.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import java.util.function.ToDoubleFunction;

/**
 * An entry of a module's meter catalogue: implemented by one enum per module (e.g. {@code ProcessorMeters}), whose
 * constants are every meter the module registers. Meters are built only through these methods, which take the name,
 * description and base unit from the entry and check the tags against its keys, so no meter exists without an entry;
 * {@link MeterDocs} renders the catalogues as the README's metrics table.
 */
public interface MeterCatalogue {
    /** The meter's name, type, description, unit and tag keys. */
    MeterSpec spec();

    /**
     * A counter builder with this entry's name, description, base unit and {@code tags} (key, value, ...).
     *
     * @throws IllegalArgumentException when the entry is not a counter or the tag keys are not the entry's
     */
    default Counter.Builder counter(String... tags) {
        MeterSpec spec = spec();
        return Counter.builder(spec.name())
                .description(spec.description())
                .baseUnit(spec.baseUnit())
                .tags(spec.checkTags(Meter.Type.COUNTER, tags));
    }

    /** A timer builder with this entry's name, description and {@code tags}; see {@link #counter(String...)}. */
    default Timer.Builder timer(String... tags) {
        MeterSpec spec = spec();
        return Timer.builder(spec.name()).description(spec.description()).tags(spec.checkTags(Meter.Type.TIMER, tags));
    }

    /** A distribution summary builder; see {@link #counter(String...)}. */
    default DistributionSummary.Builder summary(String... tags) {
        MeterSpec spec = spec();
        return DistributionSummary.builder(spec.name())
                .description(spec.description())
                .baseUnit(spec.baseUnit())
                .tags(spec.checkTags(Meter.Type.DISTRIBUTION_SUMMARY, tags));
    }

    /** A gauge builder reading {@code value} of {@code object}; see {@link #counter(String...)}. */
    default <T> Gauge.Builder<T> gauge(T object, ToDoubleFunction<T> value, String... tags) {
        MeterSpec spec = spec();
        return Gauge.builder(spec.name(), object, value)
                .description(spec.description())
                .baseUnit(spec.baseUnit())
                .tags(spec.checkTags(Meter.Type.GAUGE, tags));
    }
}

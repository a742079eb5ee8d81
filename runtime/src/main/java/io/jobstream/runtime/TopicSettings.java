package io.jobstream.runtime;

import io.jobstream.schemas.DelayTiers;
import java.util.List;
import java.util.Optional;

/**
 * The {@code jobstream.topics.*} keys: the topic layout every role of a deployment shares. Today one key, the delay
 * tiers: the publisher parks not-yet-due jobs in them, the worker defers jobs through them, the dlq-service forwards
 * from them, and each queue has a {@code <queue>.delay.<tier>} topic per tier. One definition, composed by the
 * publisher's, the worker's and the dlq-service's, so the roles of one deployment cannot disagree about it.
 */
public final class TopicSettings {
    /** The delay tiers whose topics exist. */
    public static final ConfigKey<List<String>> DELAY_TIERS = ConfigKey.listKey("jobstream.topics.delay-tiers")
            .defaultValue(DelayTiers.defaults().names())
            .validator(tiers -> {
                try {
                    DelayTiers.parse(tiers);
                    return Optional.empty();
                } catch (IllegalArgumentException e) {
                    return Optional.of("must be delay tiers like 1s, 5s, 30s, 2m, 10m, 1h, 6h: " + e.getMessage());
                }
            })
            .doc("The delay tiers, one <queue>.delay.<tier> topic each, written like 1s, 500ms, 2m, 6h. The same for"
                    + " every role: the publisher parks a job not yet due in the largest tier not longer than its"
                    + " remaining wait, the worker defers a job to the tier that fits defer-delay, the dlq-service"
                    + " forwards due records from every tier. Must match the tiers the queues' topics were created"
                    + " with.")
            .build();

    /** Every {@code jobstream.topics.*} key. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(DELAY_TIERS);

    private TopicSettings() {}

    /** The delay tiers of a config whose definition includes {@link #DEFINITION}. */
    public static DelayTiers delayTiers(Config config) {
        return DelayTiers.parse(config.get(DELAY_TIERS));
    }

    /** The default delay tiers, {@link #DELAY_TIERS}' default. */
    public static DelayTiers defaultDelayTiers() {
        return DelayTiers.parse(DELAY_TIERS.defaultValue().orElseThrow());
    }

    /**
     * Checks a record's delay tiers by {@link #DELAY_TIERS}' rule.
     *
     * @throws ConfigException naming the key when {@code tiers} is null
     */
    public static DelayTiers check(DelayTiers tiers) {
        DELAY_TIERS.check(tiers == null ? null : tiers.names());
        return tiers;
    }
}

package io.jobstream.dlq.delay.internal;

import io.jobstream.schemas.DelayTiers;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the delay forwarder does with the record at the head of a tier partition. Pure.
 *
 * <p>A record entered its tier at its timestamp ({@code entered}) and is due at its {@code jobstream.due-at} header,
 * or, without one, when the tier's delay is over ({@code entered + tier}). At {@code now}:
 *
 * <ol>
 *   <li>due ({@code now >= due}) → {@link ToQueue};
 *   <li>still inside the tier's delay → {@link Hold} until the earlier of the tier's end and the due time;
 *   <li>otherwise → {@link ToTier}: the largest tier not longer than what remains, or the smallest tier when less
 *       than that remains (it then waits there until due, never early).
 * </ol>
 *
 * <p>Why a record past its tier always moves on instead of waiting at the head: a head holds its partition until
 * at most {@code entered + tier}, and every record behind it entered later, so no record waits behind others for
 * longer than its own tier. Waiting in place for "the rest" would let such waits chain up.
 */
public sealed interface Release {

    /** Wait: pause the partition until {@code until}. */
    record Hold(Instant until) implements Release {}

    /** Forward to {@code <queue>.delay.<tier>}. */
    record ToTier(Duration tier) implements Release {}

    /** Due: forward to {@code <queue>}. */
    record ToQueue(Instant due) implements Release {}

    /** The decision for a record of tier {@code tier} that entered at {@code entered}, due at {@code dueAt}. */
    static Release decide(Instant now, Duration tier, Instant entered, Optional<Instant> dueAt, DelayTiers tiers) {
        Objects.requireNonNull(now, "now");
        Instant tierEnd = entered.plus(tier);
        Instant due = dueAt.orElse(tierEnd);
        if (!now.isBefore(due)) {
            return new ToQueue(due);
        }
        if (now.isBefore(tierEnd)) {
            return new Hold(tierEnd.isBefore(due) ? tierEnd : due);
        }
        return new ToTier(tiers.tierFor(Duration.between(now, due)).orElse(tiers.smallest()));
    }
}

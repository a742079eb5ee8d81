package io.jobstream.coordination.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids unique across processes and calls, for lease holders, permits and request ids: this process's random prefix
 * (96 bits from {@link SecureRandom}, drawn once) and a counter. {@code UUID.randomUUID()} per call drew on the shared
 * {@code SecureRandom} every time, a lock all calling threads contended on (a tenth of the calling threads' samples
 * in the coordination benchmark's profile).
 */
final class UniqueIds {

    private static final String PREFIX = prefix();
    private static final AtomicLong COUNTER = new AtomicLong();

    private UniqueIds() {}

    static String next() {
        return PREFIX + Long.toString(COUNTER.incrementAndGet(), 36);
    }

    private static String prefix() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "-";
    }
}

package io.jobstream.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * ULIDs (https://github.com/ulid/spec) for job ids: 26 Crockford base32 characters, a 48-bit millisecond timestamp
 * then 80 random bits, so ids sort by creation time.
 *
 * <p>{@link #next()} is monotonic within the JVM: ids made in the same millisecond (or while the clock steps back)
 * increment the random part, so they are strictly increasing. Thread-safe.
 */
public final class Ulid {
    /** Length of a ULID in characters. */
    public static final int LENGTH = 26;

    /** Crockford base32, as ASCII bytes (written straight into Latin-1 strings). */
    private static final byte[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
            VALUES[Character.toLowerCase(ALPHABET[i])] = (byte) i;
        }
    }

    private static final class Default {
        static final Generator INSTANCE = new Generator(Clock.systemUTC(), new SecureRandom());
    }

    private Ulid() {}

    /** A new ULID from the system clock, greater than every ULID this JVM made before with {@code next()}. */
    public static String next() {
        return Default.INSTANCE.next();
    }

    /** A monotonic generator with its own clock and randomness (tests, or a seeded benchmark). */
    public static Generator generator(Clock clock, RandomGenerator random) {
        return new Generator(clock, random);
    }

    /**
     * A deterministic ULID-shaped id for {@code name}: the first 128 bits of SHA-256 of its UTF-8 bytes. Equal names
     * give equal ids; the "timestamp" part carries no time.
     */
    public static String fromName(String name) {
        Objects.requireNonNull(name, "name");
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (digest[i] & 0xff);
            lo = (lo << 8) | (digest[8 + i] & 0xff);
        }
        return encode(hi, lo);
    }

    /** Whether {@code text} is a syntactically valid ULID (case-insensitive). */
    public static boolean isValid(CharSequence text) {
        if (text == null || text.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = text.charAt(i);
            if (c >= 128 || VALUES[c] < 0) {
                return false;
            }
        }
        return VALUES[text.charAt(0)] <= 7;
    }

    /** The creation time encoded in {@code ulid}. */
    public static Instant timestamp(String ulid) {
        if (!isValid(ulid)) {
            throw new IllegalArgumentException("not a ULID: " + ulid);
        }
        long millis = 0;
        for (int i = 0; i < 10; i++) {
            millis = (millis << 5) | VALUES[ulid.charAt(i)];
        }
        return Instant.ofEpochMilli(millis);
    }

    static String encode(long hi, long lo) {
        // Latin-1 bytes: the String keeps them as they are (a char[] would be compressed into a second array).
        byte[] bytes = new byte[LENGTH];
        for (int i = LENGTH - 1; i >= 0; i--) {
            bytes[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | (hi << 59);
            hi >>>= 5;
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** A monotonic ULID generator. Thread-safe. */
    public static final class Generator {
        private static final long MAX_TIME = (1L << 48) - 1;

        private final Clock clock;
        private final RandomGenerator random;
        private long lastMillis = -1;
        private long randomHi; // 16 bits
        private long randomLo; // 64 bits

        private Generator(Clock clock, RandomGenerator random) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.random = Objects.requireNonNull(random, "random");
        }

        /** The next ULID: a fresh random part in a new millisecond, otherwise the previous one plus one. */
        public synchronized String next() {
            long now = clock.millis();
            if (now > lastMillis) {
                lastMillis = now;
                randomHi = random.nextLong() & 0xFFFFL;
                randomLo = random.nextLong();
            } else if (++randomLo == 0 && ++randomHi > 0xFFFFL) {
                // 2^80 ids in one millisecond: borrow the next millisecond.
                lastMillis++;
                randomHi = 0;
            }
            if (lastMillis > MAX_TIME || lastMillis < 0) {
                throw new IllegalStateException("clock is outside the ULID range: " + lastMillis);
            }
            return encode((lastMillis << 16) | randomHi, randomLo);
        }
    }
}

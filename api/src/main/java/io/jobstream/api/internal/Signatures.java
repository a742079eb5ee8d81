package io.jobstream.api.internal;

import io.jobstream.api.IngestApiConfig.SignatureEncoding;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signature checks: GitHub's {@code X-Hub-Signature-256}, Stripe's {@code Stripe-Signature} and a generic
 * HMAC-SHA256 header. Every comparison is constant-time ({@link MessageDigest#isEqual}) over the decoded bytes.
 * Stateless and thread-safe; replay detection is the caller's ({@link WebhookDeliveries}) using {@link
 * Valid#replayKey()}.
 */
public final class Signatures {
    private static final String HMAC = "HmacSHA256";

    private Signatures() {}

    /** The outcome of a check. */
    public sealed interface Verification {}

    /**
     * The signature is authentic (and, when it signs a timestamp, fresh).
     *
     * @param replayKey what identifies this exact signed content, derived from it alone: the lowercase hex signature,
     *     prefixed by the signed timestamp when there is one ({@code t.v1} for Stripe)
     */
    public record Valid(String replayKey) implements Verification {
        public Valid {
            Objects.requireNonNull(replayKey, "replayKey");
        }
    }

    /**
     * The request must be refused.
     *
     * @param code {@code MISSING_SIGNATURE}, {@code BAD_SIGNATURE} or {@code STALE_SIGNATURE}
     * @param message what is wrong, never the expected signature
     */
    public record Invalid(String code, String message) implements Verification {}

    /** GitHub: {@code sha256=} followed by the hex HMAC-SHA256 of the raw body. */
    public static Verification github(byte[] secret, byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return missing("X-Hub-Signature-256");
        }
        String value = header.trim();
        if (!value.startsWith("sha256=")) {
            return new Invalid("BAD_SIGNATURE", "X-Hub-Signature-256 must start with sha256=");
        }
        Optional<byte[]> given = hex(value.substring("sha256=".length()));
        if (given.isEmpty()) {
            return new Invalid("BAD_SIGNATURE", "X-Hub-Signature-256 is not hexadecimal");
        }
        return matches(hmac(secret, body), given.get())
                ? new Valid(HexFormat.of().formatHex(given.get()))
                : new Invalid("BAD_SIGNATURE", "X-Hub-Signature-256 does not match the body");
    }

    /**
     * Stripe: {@code t=<unix seconds>,v1=<hex>[,v1=<hex>...]} where each {@code v1} may be the hex HMAC-SHA256 of
     * {@code "<t>.<body>"} (several while a secret is rolled); other schemes ({@code v0}) are ignored. A matching
     * signature whose timestamp is more than {@code tolerance} away from {@code now} is stale.
     */
    public static Verification stripe(byte[] secret, byte[] body, String header, Instant now, Duration tolerance) {
        if (header == null || header.isBlank()) {
            return missing("Stripe-Signature");
        }
        String timestamp = null;
        List<String> signatures = new ArrayList<>();
        for (String item : header.split(",")) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = item.substring(0, eq).trim();
            String value = item.substring(eq + 1).trim();
            if (key.equals("t")) {
                timestamp = value;
            } else if (key.equals("v1")) {
                signatures.add(value);
            }
        }
        long seconds;
        try {
            seconds = Long.parseLong(Objects.requireNonNull(timestamp));
        } catch (RuntimeException e) {
            return new Invalid("BAD_SIGNATURE", "Stripe-Signature has no valid timestamp t=");
        }
        if (signatures.isEmpty()) {
            return new Invalid("BAD_SIGNATURE", "Stripe-Signature has no v1 signature");
        }
        byte[] signedPrefix = (timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] expected = hmac(secret, signedPrefix, body);
        String matched = null;
        for (String signature : signatures) {
            Optional<byte[]> given = hex(signature);
            // Check every candidate, so the time taken does not tell which one matched.
            if (given.isPresent() && matches(expected, given.get()) && matched == null) {
                matched = signature.toLowerCase(Locale.ROOT);
            }
        }
        if (matched == null) {
            return new Invalid("BAD_SIGNATURE", "no v1 signature of Stripe-Signature matches the body");
        }
        long skew = Math.abs(now.getEpochSecond() - seconds);
        if (skew > tolerance.toSeconds()) {
            return new Invalid(
                    "STALE_SIGNATURE",
                    "Stripe-Signature timestamp is " + skew + " s away from now; the tolerance is "
                            + tolerance.toSeconds() + " s");
        }
        return new Valid(timestamp + "." + matched);
    }

    /** A generic header holding the HMAC-SHA256 of the raw body, hex or base64, optionally prefixed {@code sha256=}. */
    public static Verification hmacSha256(
            byte[] secret, byte[] body, String headerName, String header, SignatureEncoding encoding) {
        return hmacSha256(secret, body, headerName, header, encoding, null, null, null, null);
    }

    /**
     * As {@link #hmacSha256(byte[], byte[], String, String, SignatureEncoding)}; when {@code timestampHeaderName} is
     * not null the signed content is {@code "<timestamp>.<body>"}, the timestamp (Unix seconds, from {@code
     * timestamp}) is required, and a matching signature more than {@code tolerance} away from {@code now} is stale.
     */
    public static Verification hmacSha256(
            byte[] secret,
            byte[] body,
            String headerName,
            String header,
            SignatureEncoding encoding,
            String timestampHeaderName,
            String timestamp,
            Instant now,
            Duration tolerance) {
        if (header == null || header.isBlank()) {
            return missing(headerName);
        }
        long seconds = 0;
        if (timestampHeaderName != null) {
            if (timestamp == null || timestamp.isBlank()) {
                return missing(timestampHeaderName);
            }
            try {
                seconds = Long.parseLong(timestamp.trim());
            } catch (NumberFormatException e) {
                return new Invalid("BAD_SIGNATURE", timestampHeaderName + " must be Unix seconds");
            }
        }
        String value = header.trim();
        if (value.regionMatches(true, 0, "sha256=", 0, "sha256=".length())) {
            value = value.substring("sha256=".length());
        }
        Optional<byte[]> given =
                switch (encoding) {
                    case HEX -> hex(value);
                    case BASE64 -> base64(value);
                };
        if (given.isEmpty()) {
            return new Invalid(
                    "BAD_SIGNATURE", headerName + " is not " + encoding.name().toLowerCase(Locale.ROOT));
        }
        byte[] expected = timestampHeaderName == null
                ? hmac(secret, body)
                : hmac(secret, (seconds + ".").getBytes(StandardCharsets.UTF_8), body);
        if (!matches(expected, given.get())) {
            return new Invalid("BAD_SIGNATURE", headerName + " does not match the body");
        }
        String signature = HexFormat.of().formatHex(given.get());
        if (timestampHeaderName == null) {
            return new Valid(signature);
        }
        long skew = Math.abs(now.getEpochSecond() - seconds);
        if (skew > tolerance.toSeconds()) {
            return new Invalid(
                    "STALE_SIGNATURE",
                    timestampHeaderName + " is " + skew + " s away from now; the tolerance is " + tolerance.toSeconds()
                            + " s");
        }
        return new Valid(seconds + "." + signature);
    }

    /** The HMAC-SHA256 of the concatenated {@code parts} under {@code secret}. */
    public static byte[] hmac(byte[] secret, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret, HMAC));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    private static boolean matches(byte[] expected, byte[] given) {
        return MessageDigest.isEqual(expected, given);
    }

    private static Invalid missing(String header) {
        return new Invalid("MISSING_SIGNATURE", "the request has no " + header + " header");
    }

    private static Optional<byte[]> hex(String text) {
        try {
            return Optional.of(HexFormat.of().parseHex(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> base64(String text) {
        try {
            return Optional.of(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

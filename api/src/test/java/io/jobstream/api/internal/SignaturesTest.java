package io.jobstream.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.api.IngestApiConfig.SignatureEncoding;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SignaturesTest {
    private static final byte[] GITHUB_SECRET = "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
    private static final byte[] GITHUB_PAYLOAD = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final String GITHUB_SIGNATURE =
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    private static final byte[] STRIPE_SECRET = "whsec_test_secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration TOLERANCE = Duration.ofSeconds(300);

    @Test
    void acceptsGitHubsPublishedTestVector() {
        // Given GitHub's documented example: secret, payload and signature

        // When it is verified
        Signatures.Verification result = Signatures.github(GITHUB_SECRET, GITHUB_PAYLOAD, GITHUB_SIGNATURE);

        // Then it is valid, identified by its signature (the body's HMAC: signed content only)
        assertThat(result).isEqualTo(new Signatures.Valid(GITHUB_SIGNATURE.substring("sha256=".length())));
    }

    @Test
    void refusesGitHubSignatureMadeWithAnotherSecret() {
        // Given the test vector's payload signed with another secret
        String signature = "sha256=" + hexHmac("wrong secret".getBytes(StandardCharsets.UTF_8), GITHUB_PAYLOAD);

        // When it is verified
        Signatures.Verification result = Signatures.github(GITHUB_SECRET, GITHUB_PAYLOAD, signature);

        // Then it is refused as a bad signature
        assertThat(result).isInstanceOfSatisfying(Signatures.Invalid.class, invalid -> assertThat(invalid.code())
                .isEqualTo("BAD_SIGNATURE"));
    }

    @Test
    void refusesGitHubSignatureOfAnotherBody() {
        // When the test vector's signature is checked against a changed body
        Signatures.Verification result =
                Signatures.github(GITHUB_SECRET, "Hello, World?".getBytes(StandardCharsets.UTF_8), GITHUB_SIGNATURE);

        // Then it is refused
        assertThat(result).isInstanceOf(Signatures.Invalid.class);
    }

    @Test
    void refusesMissingOrMalformedGitHubSignature() {
        assertThat(Signatures.github(GITHUB_SECRET, GITHUB_PAYLOAD, null))
                .isEqualTo(
                        new Signatures.Invalid("MISSING_SIGNATURE", "the request has no X-Hub-Signature-256 header"));
        assertThat(Signatures.github(GITHUB_SECRET, GITHUB_PAYLOAD, GITHUB_SIGNATURE.substring(7)))
                .isInstanceOf(Signatures.Invalid.class);
        assertThat(Signatures.github(GITHUB_SECRET, GITHUB_PAYLOAD, "sha256=not-hex"))
                .isInstanceOf(Signatures.Invalid.class);
    }

    @Test
    void acceptsStripeSignatureAmongSeveralAndNamesItForReplayChecks() {
        // Given a header with an old secret's v1, the current v1 and a v0
        long t = NOW.getEpochSecond() - 10;
        String good = hexHmac(
                STRIPE_SECRET, (t + "." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        String old = hexHmac("whsec_old".getBytes(StandardCharsets.UTF_8), BODY);
        String header = "t=" + t + ",v1=" + old + ",v1=" + good + ",v0=abcdef";

        // When it is verified
        Signatures.Verification result = Signatures.stripe(STRIPE_SECRET, BODY, header, NOW, TOLERANCE);

        // Then it is valid and its replay key is the timestamp and matching signature
        assertThat(result).isEqualTo(new Signatures.Valid(t + "." + good));
    }

    @Test
    void refusesStaleStripeTimestamp() {
        // Given a correct signature made 301 s ago
        long t = NOW.getEpochSecond() - 301;
        String header = "t=" + t + ",v1=" + stripeSignature(t);

        // When it is verified with the default tolerance
        Signatures.Verification result = Signatures.stripe(STRIPE_SECRET, BODY, header, NOW, TOLERANCE);

        // Then it is refused as stale
        assertThat(result).isInstanceOfSatisfying(Signatures.Invalid.class, invalid -> assertThat(invalid.code())
                .isEqualTo("STALE_SIGNATURE"));
    }

    @Test
    void refusesStripeSignatureWithWrongSecretOrTamperedTimestamp() {
        long t = NOW.getEpochSecond();
        String signature = stripeSignature(t);

        assertThat(Signatures.stripe(
                        "other".getBytes(StandardCharsets.UTF_8), BODY, "t=" + t + ",v1=" + signature, NOW, TOLERANCE))
                .isInstanceOfSatisfying(
                        Signatures.Invalid.class, i -> assertThat(i.code()).isEqualTo("BAD_SIGNATURE"));
        assertThat(Signatures.stripe(STRIPE_SECRET, BODY, "t=" + (t + 1) + ",v1=" + signature, NOW, TOLERANCE))
                .isInstanceOfSatisfying(
                        Signatures.Invalid.class, i -> assertThat(i.code()).isEqualTo("BAD_SIGNATURE"));
        assertThat(Signatures.stripe(STRIPE_SECRET, BODY, "v1=" + signature, NOW, TOLERANCE))
                .isInstanceOf(Signatures.Invalid.class);
        assertThat(Signatures.stripe(STRIPE_SECRET, BODY, "t=" + t, NOW, TOLERANCE))
                .isInstanceOf(Signatures.Invalid.class);
        assertThat(Signatures.stripe(STRIPE_SECRET, BODY, null, NOW, TOLERANCE))
                .isInstanceOfSatisfying(
                        Signatures.Invalid.class, i -> assertThat(i.code()).isEqualTo("MISSING_SIGNATURE"));
    }

    @Test
    void acceptsGenericHmacInHexOrBase64WithOptionalPrefix() {
        byte[] secret = "generic".getBytes(StandardCharsets.UTF_8);
        byte[] mac = hmac(secret, BODY);

        assertThat(Signatures.hmacSha256(
                        secret, BODY, "X-Signature", HexFormat.of().formatHex(mac), SignatureEncoding.HEX))
                .isInstanceOf(Signatures.Valid.class);
        assertThat(Signatures.hmacSha256(
                        secret, BODY, "X-Signature", "sha256=" + HexFormat.of().formatHex(mac), SignatureEncoding.HEX))
                .isInstanceOf(Signatures.Valid.class);
        assertThat(Signatures.hmacSha256(
                        secret, BODY, "X-Signature", Base64.getEncoder().encodeToString(mac), SignatureEncoding.BASE64))
                .isInstanceOf(Signatures.Valid.class);
        assertThat(Signatures.hmacSha256(
                        secret, BODY, "X-Signature", Base64.getEncoder().encodeToString(mac), SignatureEncoding.HEX))
                .isInstanceOf(Signatures.Invalid.class);
        assertThat(Signatures.hmacSha256(
                        "wrong".getBytes(StandardCharsets.UTF_8),
                        BODY,
                        "X-Signature",
                        HexFormat.of().formatHex(mac),
                        SignatureEncoding.HEX))
                .isInstanceOf(Signatures.Invalid.class);
    }

    @Test
    void aGenericHmacWithASignedTimestampSignsTimestampDotBodyAndRefusesAStaleOrMissingOne() {
        // Given a webhook whose sender signs "<unix seconds>.<body>" and sends the seconds in X-Timestamp
        byte[] secret = "generic".getBytes(StandardCharsets.UTF_8);
        long t = NOW.getEpochSecond();
        String signed = HexFormat.of()
                .formatHex(hmac(
                        secret, (t + "." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));

        // Then a fresh one is valid, identified by timestamp and signature
        assertThat(Signatures.hmacSha256(
                        secret,
                        BODY,
                        "X-Signature",
                        signed,
                        SignatureEncoding.HEX,
                        "X-Timestamp",
                        "" + t,
                        NOW,
                        TOLERANCE))
                .isEqualTo(new Signatures.Valid(t + "." + signed));
        // And the same signature 301 s later is stale; another timestamp does not match; none is missing
        assertThat(Signatures.hmacSha256(
                        secret,
                        BODY,
                        "X-Signature",
                        signed,
                        SignatureEncoding.HEX,
                        "X-Timestamp",
                        "" + t,
                        NOW.plusSeconds(301),
                        TOLERANCE))
                .isInstanceOfSatisfying(
                        Signatures.Invalid.class, i -> assertThat(i.code()).isEqualTo("STALE_SIGNATURE"));
        assertThat(Signatures.hmacSha256(
                        secret,
                        BODY,
                        "X-Signature",
                        signed,
                        SignatureEncoding.HEX,
                        "X-Timestamp",
                        "" + (t + 1),
                        NOW,
                        TOLERANCE))
                .isInstanceOfSatisfying(
                        Signatures.Invalid.class, i -> assertThat(i.code()).isEqualTo("BAD_SIGNATURE"));
        assertThat(Signatures.hmacSha256(
                        secret,
                        BODY,
                        "X-Signature",
                        signed,
                        SignatureEncoding.HEX,
                        "X-Timestamp",
                        null,
                        NOW,
                        TOLERANCE))
                .isInstanceOfSatisfying(
                        Signatures.Invalid.class, i -> assertThat(i.code()).isEqualTo("MISSING_SIGNATURE"));
        // And the body's plain HMAC (without the timestamp) is not accepted when a timestamp is required
        assertThat(Signatures.hmacSha256(
                        secret,
                        BODY,
                        "X-Signature",
                        HexFormat.of().formatHex(hmac(secret, BODY)),
                        SignatureEncoding.HEX,
                        "X-Timestamp",
                        "" + t,
                        NOW,
                        TOLERANCE))
                .isInstanceOf(Signatures.Invalid.class);
    }

    private static String stripeSignature(long t) {
        return hexHmac(
                STRIPE_SECRET, (t + "." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    }

    private static String hexHmac(byte[] secret, byte[] data) {
        return HexFormat.of().formatHex(hmac(secret, data));
    }

    /** An HMAC computed here, independently of the code under test. */
    private static byte[] hmac(byte[] secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

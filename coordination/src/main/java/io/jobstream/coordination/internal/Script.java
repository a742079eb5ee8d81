package io.jobstream.coordination.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of {@code src/main/resources/io/jobstream/coordination/}, with their SHA-1 digests for {@code
 * EVALSHA}. Every key a script touches is passed in {@code KEYS}.
 */
public enum Script {
    LOCK_ACQUIRE("lock_acquire.lua"),
    LEASE_RENEW("lease_renew.lua"),
    LEASE_RELEASE("lease_release.lua"),
    SEMAPHORE_ACQUIRE("semaphore_acquire.lua"),
    SEMAPHORE_RENEW("semaphore_renew.lua"),
    SEMAPHORE_RELEASE("semaphore_release.lua"),
    SEMAPHORE_HELD("semaphore_held.lua"),
    RATE_ACQUIRE("rate_acquire.lua"),
    CLAIM_ACQUIRE("claim_acquire.lua"),
    CLAIM_DONE("claim_done.lua");

    /** Where the scripts live on the class path. */
    public static final String RESOURCE_FOLDER = "/io/jobstream/coordination/";

    private final String fileName;
    private final String body;
    private final String sha;

    Script(String fileName) {
        this.fileName = fileName;
        this.body = read(fileName);
        this.sha = sha1(body);
    }

    public String fileName() {
        return fileName;
    }

    public String body() {
        return body;
    }

    public String sha() {
        return sha;
    }

    private static String read(String fileName) {
        try (InputStream in = Script.class.getResourceAsStream(RESOURCE_FOLDER + fileName)) {
            if (in == null) {
                throw new IllegalStateException("script " + RESOURCE_FOLDER + fileName + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script " + fileName, e);
        }
    }

    private static String sha1(String body) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }
}

package io.jobstream.runtime;

import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;

/** The SASL mechanisms {@link KafkaSettings} configures from a username and password. */
public enum SaslMechanism {
    /** Username and password sent as is; use with TLS ({@code SASL_SSL}). */
    PLAIN("PLAIN", PlainLoginModule.class.getName()),
    /** Salted challenge-response with SHA-256. */
    SCRAM_SHA_256("SCRAM-SHA-256", ScramLoginModule.class.getName()),
    /** Salted challenge-response with SHA-512. */
    SCRAM_SHA_512("SCRAM-SHA-512", ScramLoginModule.class.getName());

    private final String mechanismName;
    private final String loginModule;

    SaslMechanism(String mechanismName, String loginModule) {
        this.mechanismName = mechanismName;
        this.loginModule = loginModule;
    }

    /** The name Kafka knows it by ({@code sasl.mechanism}), e.g. {@code SCRAM-SHA-512}. */
    public String mechanismName() {
        return mechanismName;
    }

    /** The JAAS login module class for {@code sasl.jaas.config}. */
    public String loginModule() {
        return loginModule;
    }

    @Override
    public String toString() {
        return mechanismName;
    }
}

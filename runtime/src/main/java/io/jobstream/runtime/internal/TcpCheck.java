package io.jobstream.runtime.internal;

import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.ReadinessCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Opens and closes a TCP connection; up when it opens. Thread-safe (no state). */
public final class TcpCheck implements ReadinessCheck {
    private final String name;
    private final String host;
    private final int port;
    private final Duration timeout;

    /** A check of {@code host:port}. */
    public TcpCheck(String name, String host, int port, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.host = Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of readiness check " + name + " must be 1 to 65535: " + port);
        }
        this.port = port;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(timeout);
    }

    @Override
    public CheckResult check() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return CheckResult.up();
        } catch (IOException e) {
            return CheckResult.down("cannot connect", host + ":" + port + ": " + Failures.describe(e));
        }
    }

    @Override
    public String toString() {
        return "TcpCheck[" + name + " " + host + ":" + port + "]";
    }
}

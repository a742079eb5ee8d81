package io.jobstream.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A service process for {@link GracefulShutdownSignalIT}: registers three components that print
 * when closed, installs the shutdown hook, says {@code ready}, and waits to be signalled.
 */
public final class ShutdownOnSignalMain {
    private ShutdownOnSignalMain() {}

    public static void main(String[] args) throws InterruptedException {
        GracefulShutdown.create(Duration.ofSeconds(10))
                .register("admin", () -> System.out.println("closed admin"))
                .register("producer", () -> System.out.println("closed producer"))
                .registerDrainable("consumer", share -> System.out.println("drained consumer within " + share))
                .installShutdownHook();
        System.out.println("ready");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

package io.jobstream.processor;

/**
 * Registers handlers found with {@link java.util.ServiceLoader}, so a packaged worker can run the handlers of user
 * jars: implement it, list the class in {@code META-INF/services/io.jobstream.processor.JobHandlerProvider}, and call
 * {@link JobProcessor.Builder#discoverHandlers(ClassLoader)}. Needs a public no-argument constructor.
 */
public interface JobHandlerProvider {

    /** Registers this provider's handlers, e.g. {@code builder.handle("send_email", Email.class, this::send)}. */
    void register(JobProcessor.Builder builder);
}

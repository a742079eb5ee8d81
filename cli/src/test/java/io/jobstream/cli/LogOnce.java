package io.jobstream.cli;

import org.slf4j.LoggerFactory;

/** Logs one WARN line whose message carries a forged line, through the shipped log4j2.xml (LogLayoutTest). */
public final class LogOnce {
    private LogOnce() {}

    public static void main(String[] args) {
        LoggerFactory.getLogger("io.jobstream.processor.internal.JobRunner")
                .warn("job failed id={}", "01J\r\n06:00:00.000 INFO  JobRunner job=admin succeeded");
        org.apache.logging.log4j.LogManager.shutdown();
    }
}

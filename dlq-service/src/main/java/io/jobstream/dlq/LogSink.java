package io.jobstream.dlq;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An {@link AlertSink} writing each alert as one WARN line (INFO for recoveries) to the logger {@code jobstream.alerts}. */
public final class LogSink implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger("jobstream.alerts");

    @Override
    public String name() {
        return "log";
    }

    @Override
    public Delivery deliver(Alert alert) {
        AlertKey key = alert.key();
        if (alert.kind() == Alert.Kind.RECOVERED) {
            LOG.info(
                    "dead letters recovered queue={} type={} reason={} error={} quietSince={}",
                    key.queue(),
                    key.type(),
                    key.reason(),
                    key.errorClass(),
                    alert.from());
        } else {
            LOG.warn(
                    "dead letters kind={} queue={} type={} reason={} error={} message=\"{}\" count={} firstJob={}"
                            + " lastJob={} replay=\"{}\"",
                    alert.kind(),
                    key.queue(),
                    key.type(),
                    key.reason(),
                    key.errorClass(),
                    alert.errorMessage(),
                    alert.count(),
                    alert.firstJobId(),
                    alert.lastJobId(),
                    alert.replayCommand());
        }
        return new Delivery.Delivered();
    }
}

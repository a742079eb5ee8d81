package io.jobstream.dlq.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AlertSink} writing each alert as one key=value line to the logger {@code jobstream.alerts}: WARN for dead
 * letters and for a lag status turning bad, INFO for recoveries.
 */
public final class LogSink implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger("jobstream.alerts");

    @Override
    public String name() {
        return "log";
    }

    @Override
    public Delivery deliver(Notification notification) {
        switch (notification) {
            case Alert alert -> log(alert);
            case LagAlert alert -> log(alert);
        }
        return new Delivery.Delivered();
    }

    private static void log(Alert alert) {
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
    }

    private static void log(LagAlert alert) {
        String line = "consumer lag status group={} from={} to={} lag={} lagSeconds={}{} topics={} state={} members={}"
                + " changes={} error=\"{}\" look=\"{}\"";
        Object[] args = {
            alert.group(),
            alert.previous(),
            alert.current(),
            alert.lag(),
            alert.lagTimeIsLowerBound() ? ">=" : "",
            alert.lagSeconds(),
            String.join(",", alert.topics()),
            alert.state(),
            alert.members(),
            alert.changes(),
            alert.error().orElse(""),
            alert.lagCommand()
        };
        if (alert.isRecovery()) {
            LOG.info(line, args);
        } else {
            LOG.warn(line, args);
        }
    }
}

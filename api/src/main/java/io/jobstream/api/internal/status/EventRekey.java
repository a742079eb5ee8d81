package io.jobstream.api.internal.status;

import io.jobstream.api.ApiMeters;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobSerde;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys a job event by its job id on its way to the projection's internal topic: used for the {@code .events} topics
 * whose partition count differs from the store's, so every event of a job meets in one partition. An undecodable
 * event is counted and skipped. Runs on a Kafka Streams thread, one instance per task.
 */
final class EventRekey implements Processor<byte[], byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(EventRekey.class);
    private static final AtomicLong UNDECODABLE = new AtomicLong();

    private final StatusTopology.Settings settings;
    private final JobSerde<JobEvent> events;
    private ProcessorContext<String, byte[]> context;

    EventRekey(StatusTopology.Settings settings) {
        this.settings = settings;
        this.events = JobSerde.forEvent(settings.serdes());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        try {
            JobEvent event = events.decode(meta.topic(), record.headers(), record.value());
            context.forward(record.withKey(event.getJobId()));
        } catch (JobDecodeException e) {
            if (e.isRetriable()) {
                throw e;
            }
            settings.metrics().undecodable();
            if (UNDECODABLE.incrementAndGet() == 1) {
                LOG.warn(
                        "undecodable job event topic={} partition={} offset={}; skipped (counted in {})",
                        meta.topic(),
                        meta.partition(),
                        meta.offset(),
                        ApiMeters.STATUS_EVENTS.spec().name(),
                        e);
            }
        }
    }

    @Override
    public void close() {
        events.close();
    }
}

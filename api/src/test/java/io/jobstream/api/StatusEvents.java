package io.jobstream.api;

import io.jobstream.producer.Kafka;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes what the processor and the dlq-service write: events keyed by job id, dead letters. */
public final class StatusEvents implements AutoCloseable {
    private final KafkaSettings settings;
    private final String queue;
    private final String type;
    private final KafkaProducer<byte[], byte[]> producer;
    private final JobSerde<JobEvent> events = JobSerde.forEvent(SerdeConfig.singleObject());
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SerdeConfig.singleObject());

    StatusEvents(KafkaCluster kafka, String queue, String type) {
        this.settings = Kafka.settings(kafka, Map.of());
        this.queue = queue;
        this.type = type;
        this.producer = new KafkaProducer<>(
                settings.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    KafkaSettings settings() {
        return settings;
    }

    void write(String id, JobState state, int attempt, String worker, String error) throws Exception {
        producer.send(record(id, state, attempt, worker, error)).get();
    }

    /** The event record {@link #write} sends: keyed by job id, on {@code <queue>.events}. */
    ProducerRecord<byte[], byte[]> record(String id, JobState state, int attempt, String worker, String error) {
        JobEvent event = JobEvent.newBuilder()
                .setJobId(id)
                .setQueue(queue)
                .setType(type)
                .setState(state)
                .setAttempt(attempt)
                .setAt(Instant.now())
                .setWorkerId(worker)
                .setError(error)
                .build();
        String topic = Topics.events(queue);
        return new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), events.encode(topic, event));
    }

    /** What the failure router writes when a job's last attempt failed: the dead letter, then the event. */
    void deadLetter(String id, int attempts) throws Exception {
        Instant now = Instant.now();
        Job job = Job.newBuilder()
                .setId(id)
                .setType(type)
                .setPayload(java.nio.ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setAttempt(attempts)
                .setCreatedAt(now)
                .build();
        JobFailure failure = JobFailure.newBuilder()
                .setJob(job)
                .setReason(FailureReason.HANDLER_ERROR)
                .setErrorClass("java.lang.IllegalStateException")
                .setMessage("card declined")
                .setRetryable(true)
                .setFailedAt(now)
                .setWorkerId("worker-a")
                .setSourceTopic(queue)
                .setSourcePartition(0)
                .setSourceOffset(0)
                .build();
        DeadLetter letter = DeadLetter.newBuilder()
                .setLastFailure(failure)
                .setHistory(List.of())
                .setDeadAt(now)
                .build();
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.JOB_ID, id);
        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, type);
        String dlq = Topics.dlq(queue);
        producer.send(new ProducerRecord<>(
                        dlq, null, id.getBytes(StandardCharsets.UTF_8), deadLetters.encode(dlq, letter), headers))
                .get();
        write(id, JobState.DEAD_LETTERED, attempts, null, "MAX_ATTEMPTS: HANDLER_ERROR card declined");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        events.close();
        deadLetters.close();
    }
}

package io.jobstream.api.internal;

import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.JobRejectedException;
import io.jobstream.schemas.Topics;
import java.util.Objects;

/**
 * The HTTP API's answer to "may anything be published to this topic", asked before a request's body is read: only
 * queues, for every token, a {@code *} token included. A derived or internal name ({@link Topics#notAQueue}) or an
 * existing topic without the {@code .failed} sibling {@code jobstream topics create} makes is {@code 404
 * NOT_A_QUEUE}; an invalid name {@code 400}; a queue whose topic does not exist passes here and is refused by the
 * publish as {@code 404 UNKNOWN_QUEUE}, as before. Thread-safe.
 */
public final class PublishableQueues {
    private final JobPublisher publisher;
    private final Publishing publishing;

    /** Asks {@code publisher}'s topic cache; turns failures into problems with {@code publishing}. */
    public PublishableQueues(JobPublisher publisher, Publishing publishing) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.publishing = Objects.requireNonNull(publishing, "publishing");
    }

    /**
     * Passes when {@code queue} may be published to (or does not exist yet); otherwise throws the problem to answer.
     */
    public void check(String queue) {
        if (Topics.notAQueue(queue).isPresent()) {
            throw new ApiProblem(
                    404,
                    "NOT_A_QUEUE",
                    "'" + JobRequests.shown(queue) + "' is not a queue: "
                            + Topics.notAQueue(queue).get());
        }
        if (!Topics.isValidQueue(queue)) {
            throw ApiProblem.badRequest(
                    "INVALID_QUEUE_NAME", "'" + JobRequests.shown(queue) + "' is not a valid queue name");
        }
        try {
            publisher.requireQueue(queue);
        } catch (JobRejectedException e) {
            if (e.reason() != JobRejectedException.Reason.UNKNOWN_QUEUE) {
                throw publishing.problemFor(e);
            }
        } catch (RuntimeException e) {
            throw publishing.problemFor(e);
        }
    }
}

package io.jobstream.api.internal.status;

import io.jobstream.api.JobStatusLookup;
import io.jobstream.api.internal.ApiProblem;
import io.jobstream.api.internal.JobRequests;
import io.jobstream.runtime.http.Principal;
import io.jobstream.runtime.http.Scope;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which queues a status request may see. Job ids are per queue: {@code GET /v1/jobs/{id}} looks in the tracked queues
 * the caller's token may read (every one with auth off), narrowed by {@code ?queue=<name>} to one; when the id is in
 * several of them the caller gets {@code 409 AMBIGUOUS_JOB_ID} naming those queues (all of them readable by it) and
 * asks again with {@code ?queue=}. An id the caller may not read is {@code 404 JOB_NOT_FOUND}, the same answer as an
 * unknown id, so a token learns nothing of other queues. Stateless and thread-safe.
 */
final class StatusScope {
    private StatusScope() {}

    /**
     * The queues {@code principal} may read (its {@code status:read} scope; every queue with auth off), narrowed by
     * the request's {@code queue} parameter.
     */
    static Predicate<String> readable(Principal principal, Optional<String> only) {
        Predicate<String> allowed = queue -> principal.allows(Scope.STATUS_READ, queue);
        return only.<Predicate<String>>map(q -> queue -> queue.equals(q) && allowed.test(queue))
                .orElse(allowed);
    }

    static ApiProblem notFound(String id) {
        return new ApiProblem(
                404,
                "JOB_NOT_FOUND",
                "no job with id " + JobRequests.shown(id)
                        + " is known in the queues you may read: never enqueued on a tracked queue, or"
                        + " dropped after its retention (jobstream.status.retention)");
    }

    static ApiProblem ambiguous(JobStatusLookup.Ambiguous ambiguous) {
        return new ApiProblem(
                409,
                "AMBIGUOUS_JOB_ID",
                "job id " + JobRequests.shown(ambiguous.id()) + " is in several of your queues " + ambiguous.queues()
                        + " (job ids are per queue); ask with ?queue=<name>");
    }
}

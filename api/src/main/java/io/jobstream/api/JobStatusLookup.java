package io.jobstream.api;

import java.util.List;
import java.util.Objects;

/**
 * The answer of one replica's {@link JobStatusProjection#lookup(String, java.util.function.Predicate)}: the status, no
 * such job (in the queues asked about), the id in several of them, the replica that owns the job's partition, or the
 * store not queryable now. The HTTP routes turn these into {@code 200}, {@code 404}, {@code 409}, a forwarded request,
 * and {@code 503}.
 */
public sealed interface JobStatusLookup {

    /** This replica owns the job's partition and holds its status. */
    record Found(JobStatus status) implements JobStatusLookup {
        /** Checks the status is present. */
        public Found {
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * This replica owns the job's partition and holds no status for it: never seen, or dropped after its retention.
     */
    record NotFound(String id) implements JobStatusLookup {
        /** Checks the id is present. */
        public NotFound {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * This replica owns the job's partition and holds a job with this id in more than one of the queues asked about:
     * job ids are per queue, so the caller must name one.
     *
     * @param queues the queues holding the id, each one the caller may read
     */
    record Ambiguous(String id, List<String> queues) implements JobStatusLookup {
        /** Checks the fields are present. */
        public Ambiguous {
            Objects.requireNonNull(id, "id");
            queues = List.copyOf(queues);
        }
    }

    /**
     * Another replica owns the job's partition.
     *
     * @param host the owner's advertised host
     * @param port the owner's HTTP port
     */
    record Elsewhere(String host, int port) implements JobStatusLookup {
        /** Checks the host is present. */
        public Elsewhere {
            Objects.requireNonNull(host, "host");
        }

        /** {@code host:port}. */
        public String address() {
            return host + ":" + port;
        }
    }

    /**
     * The store cannot answer now: the projection is starting, rebalancing, restoring or stopped.
     *
     * @param reason why, for the client
     */
    record Unavailable(String reason) implements JobStatusLookup {
        /** Checks the reason is present. */
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}

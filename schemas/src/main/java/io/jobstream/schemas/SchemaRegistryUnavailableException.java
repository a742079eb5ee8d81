package io.jobstream.schemas;

/**
 * The schema registry could not be reached, timed out, or answered with a server error ({@code 5xx}, {@code 408},
 * {@code 429}). Retriable.
 */
public final class SchemaRegistryUnavailableException extends RetriableJobstreamException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

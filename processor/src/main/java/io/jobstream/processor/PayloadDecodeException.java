package io.jobstream.processor;

/**
 * A job's payload could not be turned into its handler's payload type (malformed JSON, a JSON document that does not
 * map onto the class, bytes that are not the Avro record). Never retried: the same bytes will never decode.
 */
public final class PayloadDecodeException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    public PayloadDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}

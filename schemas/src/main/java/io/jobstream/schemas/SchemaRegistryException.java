package io.jobstream.schemas;

/**
 * The schema registry answered with an error (for example {@code 404} / {@code 40403} "schema not found", {@code
 * 409} incompatible schema, {@code 401} unauthorized). Carries the HTTP status and the registry's {@code
 * error_code}.
 */
public final class SchemaRegistryException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    /** Registry error code: schema not found. */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Registry error code: subject not found. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Registry error code: version not found. */
    public static final int VERSION_NOT_FOUND = 40402;
    /**
     * Registry error code: the schema is incompatible with the subject's existing versions (HTTP {@code 409}). Also
     * what this client reports when a registry answers {@code 409} with another code (Apicurio answers {@code 0}).
     */
    public static final int INCOMPATIBLE_SCHEMA = 409;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        super("schema registry answered HTTP " + httpStatus + " error_code " + errorCode + ": " + message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, or the HTTP status when the body carried none. */
    public int errorCode() {
        return errorCode;
    }
}

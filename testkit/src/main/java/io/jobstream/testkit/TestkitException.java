package io.jobstream.testkit;

/**
 * A fault of the test infrastructure: a broker or server that would not start, a process that died, a
 * backend that cannot run here. The message says what failed and where its log is.
 */
public class TestkitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TestkitException(String message) {
        super(message);
    }

    public TestkitException(String message, Throwable cause) {
        super(message, cause);
    }
}

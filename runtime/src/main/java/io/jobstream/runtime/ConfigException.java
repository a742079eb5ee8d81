package io.jobstream.runtime;

import io.jobstream.schemas.JobstreamException;
import java.util.List;

/**
 * A configuration fault: a setting is missing, unknown or has a bad value. Thrown at start-up, with
 * every problem found (not only the first), each naming the key, and where it helps the env var and
 * the value.
 *
 * <p>Part of the project's single exception hierarchy ({@link JobstreamException}); never retriable: a bad setting
 * stays bad until an operator fixes it.
 */
public class ConfigException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** One problem. */
    public ConfigException(String problem) {
        super(problem);
        this.problems = List.of(problem);
    }

    /** One problem, caused by {@code cause}. */
    public ConfigException(String problem, Throwable cause) {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    /** Several problems found together; the message lists them all. */
    public ConfigException(List<String> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, one sentence each. */
    public List<String> problems() {
        return problems;
    }

    private static String render(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        if (problems.size() == 1) {
            return problems.get(0);
        }
        return problems.size() + " configuration problems:\n  - " + String.join("\n  - ", problems);
    }
}

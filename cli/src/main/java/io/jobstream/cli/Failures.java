package io.jobstream.cli;

import io.jobstream.runtime.ConfigException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns an exception into the one line the command prints: the deepest useful message, never a stack trace. */
final class Failures {
    private Failures() {}

    static String oneLine(Throwable error) {
        Throwable t = error;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ConfigException config && config.problems().size() > 1) {
            // every problem, on the one line: the first line of the message would only count them
            return config.problems().size() + " configuration problems: "
                    + String.join(
                            "; ", config.problems().stream().map(String::strip).toList());
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            message = t.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message).strip();
    }
}

package io.jobstream.runtime.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short, one-line descriptions of failures for check reasons and log lines. */
public final class Failures {
    private Failures() {}

    /** The root cause as {@code SimpleName: message}, unwrapping execution wrappers. */
    public static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank()
                ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + message.replace('\n', ' ');
    }
}

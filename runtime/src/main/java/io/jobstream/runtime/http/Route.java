package io.jobstream.runtime.http;

/**
 * What an {@link Endpoint} does: a function from a request (authenticated, within its limits) to a response. It may
 * throw an {@link HttpProblem} to answer an error; anything else it throws is answered {@code 500} with a generic body
 * (the exception is logged, never sent).
 */
@FunctionalInterface
public interface Route {
    /** The answer to {@code request}. */
    HttpResponse handle(HttpRequest request) throws Exception;
}

/**
 * The one HTTP seam every role serves its routes through.
 *
 * <p>A route is a function from an {@link io.jobstream.runtime.http.HttpRequest} to an {@link
 * io.jobstream.runtime.http.HttpResponse} ({@link io.jobstream.runtime.http.Route}); an {@link
 * io.jobstream.runtime.http.Endpoint} adds its method, path pattern ({@code /v1/queues/{queue}/dlq}), who may call it
 * ({@link io.jobstream.runtime.http.Access}: open, signed, any token, or a {@link io.jobstream.runtime.http.Scope} for
 * the path's queue) and its body limit. {@link io.jobstream.runtime.AdminServer#route} mounts it. Tokens, their
 * scopes and queues, the failed-authentication limit and the header and body limits are {@link
 * io.jobstream.runtime.http.HttpConfig} ({@code jobstream.runtime.http.*}), one definition read by every role.
 *
 * <p>One internal class ({@code io.jobstream.runtime.internal.RoutingHttpServer}, modelled on kroxylicious's {@code
 * RoutingHttpServer}) owns the JDK server's {@code HttpExchange}: routes never see the wire.
 *
 * <p><b>Threading.</b> Requests run on virtual threads, one per request; routes must be thread-safe. Everything in
 * this package is immutable but {@code Endpoint.Builder} and {@code HttpConfig.Builder}.
 *
 * <p><b>Failure contract.</b> A route answers an expected refusal by throwing an {@link
 * io.jobstream.runtime.http.HttpProblem} (rendered as {@code {"error": CODE, "message": ...}}); anything else it throws
 * is a {@code 500 INTERNAL_ERROR} whose body never carries the exception's text (it is logged: the first failure of a
 * route with its trace, later ones counted). Requests refused by the seam (401, 403, 413, 415, 429, 431) never reach a
 * route.
 */
package io.jobstream.runtime.http;

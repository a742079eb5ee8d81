/**
 * What every Jobstream service process needs: configuration, Kafka client settings, the admin
 * HTTP endpoint with the one HTTP seam, and graceful shutdown.
 *
 * <h2>Configuration</h2>
 *
 * Each module declares its settings once, as {@link io.jobstream.runtime.ConfigKey} constants grouped
 * in a {@link io.jobstream.runtime.ConfigDefinition} (this module: {@link
 * io.jobstream.runtime.RuntimeConfig#DEFINITION}, {@link io.jobstream.runtime.KafkaSettings#DEFINITION}).
 * A process combines the definitions of the modules it runs and loads a {@link
 * io.jobstream.runtime.Config} with {@link io.jobstream.runtime.ConfigLoader}: defaults, then a YAML
 * file with {@code ${VAR}} / {@code ${VAR:-default}} substitution, then {@code JOBSTREAM_*} env vars,
 * then explicit overrides. Modules turn a {@code Config} into their own immutable {@code *Config}
 * records, validated at construction. {@link io.jobstream.runtime.ConfigDocs} renders a definition
 * as the README's Markdown table.
 *
 * <h2>Admin endpoint and the HTTP seam</h2>
 *
 * {@link io.jobstream.runtime.AdminServer} serves {@code /health}, {@code /ready} (pluggable {@link
 * io.jobstream.runtime.ReadinessCheck}s) and {@code /metrics} (Prometheus, via Micrometer), and every route a role
 * adds: the API's, the dead-letter routes. All of them are {@link io.jobstream.runtime.http.Endpoint}s of the one HTTP
 * seam ({@link io.jobstream.runtime.http}): a route is a function from request to response; one internal class owns
 * the wire, bearer tokens with scopes, limits and the one problem body. It runs on the JDK's built-in {@code
 * com.sun.net.httpserver} with a virtual-thread executor rather than a web framework: a handful of small JSON routes
 * do not justify a framework's dependency tree (and its version convergence with Kafka's and Jackson's) in every
 * service, and the JDK server starts in milliseconds on a random port for tests. Only {@code
 * io.jobstream.runtime.internal.RoutingHttpServer} touches that package.
 *
 * <h2>Shutdown</h2>
 *
 * {@link io.jobstream.runtime.GracefulShutdown} closes registered components in reverse order
 * within one bounded budget, on SIGTERM or when asked.
 *
 * <h2>Consumer lag</h2>
 *
 * {@link io.jobstream.runtime.LagSampler} reads consumer groups' lag (committed offsets against {@code
 * read_committed} end offsets) through the Admin client, one batch of requests per call: the one lag computation of
 * the lag monitor, the publisher's least-loaded strategy and the bench.
 *
 * <h2>Threading</h2>
 *
 * Definitions, keys, {@code Config}, {@code KafkaSettings} and the {@code *Config} records are
 * immutable and safe to share. {@code ConfigLoader} is immutable. {@code AdminServer} and {@code
 * GracefulShutdown} are thread-safe, and so is {@code LagSampler} (stateless; it blocks the caller);
 * HTTP requests and readiness checks run on virtual threads, shutdown steps on daemon platform
 * threads named {@code jobstream-shutdown-<name>}.
 *
 * <h2>Failures</h2>
 *
 * Configuration faults are {@link io.jobstream.runtime.ConfigException}s thrown at start-up, listing
 * every problem and naming each key (and its env var where that helps); passwords never appear in
 * messages or logs. Expected outcomes are values: {@link io.jobstream.runtime.CheckResult} for a
 * readiness check (a check that throws or overruns is down, never an error of {@code /ready}), and
 * {@link io.jobstream.runtime.ShutdownStep} for each component of a shutdown, {@link
 * io.jobstream.runtime.LagSampler.GroupLagSample} for a group whose offsets could or could not be read.
 */
package io.jobstream.runtime;

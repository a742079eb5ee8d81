/**
 * Real infrastructure for Jobstream's tests: {@link io.jobstream.testkit.KafkaCluster} (KRaft brokers as
 * child JVMs or containers), {@link io.jobstream.testkit.RedisServer} ({@code redis-server} or Dragonfly),
 * {@link io.jobstream.testkit.ApicurioRegistry} (an independent Confluent-compatible schema registry as a child JVM),
 * and the JUnit extension {@link io.jobstream.testkit.JobstreamExtension} ({@link io.jobstream.testkit.JobstreamTest})
 * that shares one of each per test JVM and hands out unique topic names ({@link io.jobstream.testkit.TestTopics}).
 *
 * <p>Other modules take this module with {@code test} scope. The Kafka server jars are not on their
 * classpath: brokers run in their own JVMs on a classpath resolved when the testkit was built.
 *
 * <p><b>Threading.</b> Clusters and servers are thread-safe; their fault methods ({@code kill}, {@code pause},
 * {@code restart}...) block until the fault has happened (the process is gone, the broker is registered
 * again). Builders are not thread-safe.
 *
 * <p><b>Failures.</b> Invalid settings throw {@link java.lang.IllegalArgumentException} naming the setting.
 * Infrastructure faults (a broker that will not start or dies, a missing {@code redis-server}, Docker asked
 * for but absent) throw {@link io.jobstream.testkit.TestkitException}, whose message names the log file
 * ({@code target/testkit-logs/...}) and quotes its last lines. Every child process ends on {@code close()},
 * and also when the test JVM exits.
 */
package io.jobstream.testkit;

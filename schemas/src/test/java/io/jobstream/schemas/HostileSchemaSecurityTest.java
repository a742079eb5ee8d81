package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.testkit.SchemaRegistryServer;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 §4, the schemas' share of the hostile-input corpus: writer schemas registered by someone else, made-up
 * schema ids, and a registry that redirects.
 */
class HostileSchemaSecurityTest {
    private static final int MIB = 1024 * 1024;

    private SchemaRegistryServer registry;

    @BeforeEach
    void start() {
        registry = SchemaRegistryServer.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void aMebibyteInAHostileRegisteredWriterSchemaIsRefusedWithoutWalkingIt() {
        // Given the Job schema plus an array<null> field, registered under the queue's own subject
        int id;
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()))) {
            id = client.register("emails-value", HostileSchemas.jobWithNullArray());
        }
        // And a mebibyte in it whose array announces as many zero-size items as bytes remain, block after block
        byte[] bytes = confluent(id, HostileSchemas.body(HostileSchemas.job(), MIB));

        // When a worker's decoder reads it three times (the timeout only guards against a hang: it took minutes)
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject(SchemaRegistryConfig.of(registry.url())))) {
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                for (int i = 0; i < 3; i++) {
                    // Then it is refused as a schema that is no released version of Job, a decode error
                    assertThatThrownBy(() -> serde.decode("emails", null, bytes))
                            .isInstanceOfSatisfying(JobDecodeException.class, e -> {
                                assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
                                assertThat(e.isRetriable()).isFalse();
                                assertThat(e.getMessage()).contains("no released version of Job");
                            });
                }
            });
        }

        // And the registry was asked for the schema once
        assertThat(registry.requests("GET /schemas/ids/" + id)).isEqualTo(1);
    }

    @Test
    void theShippedJobSchemaRegisteredByAThirdPartyIsStillRead() {
        // Given the Job schema as shipped, registered by another producer under the queue's subject
        int id;
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()))) {
            id = client.register("emails-value", new org.apache.avro.Schema.Parser().parse(Job.SCHEMA$.toString()));
        }
        byte[] single = JobSerde.forJob(SerdeConfig.singleObject()).encode("emails", HostileSchemas.job());
        byte[] bytes = confluent(id, java.util.Arrays.copyOfRange(single, 10, single.length));

        // When a fresh decoder reads it / Then it is the job
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject(SchemaRegistryConfig.of(registry.url())))) {
            assertThat(serde.decode("emails", null, bytes)).isEqualTo(HostileSchemas.job());
        }
    }

    @Test
    void madeUpSchemaIdsAreNegativelyCachedSoRepeatsDoNotReachTheRegistry() {
        // Given records naming an id the registry never issued
        byte[] bytes = {0, 0, 0, 0x33, 0x33, 2, 'x'};
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
                JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject(), client)) {
            // When 1,000 of them are decoded
            for (int i = 0; i < 1_000; i++) {
                assertThatThrownBy(() -> serde.decode("emails", null, bytes))
                        .isInstanceOfSatisfying(JobDecodeException.class, e -> assertThat(e.reason())
                                .isEqualTo(Reason.UNKNOWN_SCHEMA));
            }

            // Then the registry was asked once (within the TTL, the 404 is remembered)
            assertThat(registry.requests("GET /schemas/ids/" + 0x3333)).isEqualTo(1);
        }
    }

    @Test
    void anUnknownIdIsAskedAgainOnceItsShortTtlHasPassed() {
        // Given a client on a hand-moved clock that found an id unknown
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        try (SchemaRegistryClient client =
                new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()), now::get)) {
            assertThatThrownBy(() -> client.schemaById(0x4444)).isInstanceOf(SchemaRegistryException.class);

            // When it is looked up again just inside the TTL, and then just past it
            now.addAndGet(SchemaRegistryClient.UNKNOWN_ID_TTL.toNanos() - 1);
            assertThatThrownBy(() -> client.schemaById(0x4444)).isInstanceOf(SchemaRegistryException.class);
            assertThat(registry.requests("GET /schemas/ids/" + 0x4444)).isEqualTo(1);
            now.addAndGet(1);
            assertThatThrownBy(() -> client.schemaById(0x4444)).isInstanceOf(SchemaRegistryException.class);

            // Then the registry was asked again only once the TTL had passed
            assertThat(registry.requests("GET /schemas/ids/" + 0x4444)).isEqualTo(2);
        }
    }

    @Test
    void theNegativeCacheIsBoundedAndForgetsNothingItShouldAnswer() {
        // Given more made-up ids than the negative cache holds
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()))) {
            int ids = SchemaRegistryClient.MAX_UNKNOWN_IDS + 10;
            for (int id = 1; id <= ids; id++) {
                int unknown = id;
                assertThatThrownBy(() -> client.schemaById(unknown)).isInstanceOf(SchemaRegistryException.class);
            }

            // When a real schema is registered after that / Then it is found: real ids are never cached as unknown
            int real = client.register("emails-value", Job.SCHEMA$);
            assertThat(client.schemaById(real)).isNotNull();
            assertThat(registry.totalRequests()).isEqualTo(ids + 1);
        }
    }

    @Test
    void credentialsAreNeverSentToWhereARegistryRedirects() throws Exception {
        // Given a server that counts the requests it gets and the Authorization headers among them
        AtomicInteger reachedTarget = new AtomicInteger();
        List<String> leaked = new CopyOnWriteArrayList<>();
        HttpServer target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/", exchange -> {
            reachedTarget.incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                leaked.add(authorization);
            }
            byte[] body = ("{\"schema\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(Job.SCHEMA$.toString())
                            + "}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        // And a "registry" that redirects every request there
        HttpServer redirecting = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String targetUrl = "http://127.0.0.1:" + target.getAddress().getPort();
        redirecting.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Location", targetUrl + exchange.getRequestURI());
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        target.start();
        redirecting.start();
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(
                        "http://127.0.0.1:" + redirecting.getAddress().getPort())
                .basicAuth("jobs:s3cret")
                .build())) {
            // When the client fetches a schema and registers one
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus())
                            .isEqualTo(307));
            assertThatThrownBy(() -> client.register("emails-value", Job.SCHEMA$))
                    .isInstanceOf(SchemaRegistryException.class);

            // Then no request, and so no credential, reached the redirect's target
            assertThat(leaked).isEmpty();
            assertThat(reachedTarget).hasValue(0);
        } finally {
            redirecting.stop(0);
            target.stop(0);
        }
    }

    private static byte[] confluent(int id, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        out.writeBytes(body);
        return out.toByteArray();
    }
}

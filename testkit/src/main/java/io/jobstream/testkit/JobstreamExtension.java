package io.jobstream.testkit;

import java.lang.reflect.Method;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension that gives tests real infrastructure, shared by every test of the JVM: parameters of
 * type {@link KafkaCluster} (one broker), {@link RedisServer} and {@link TestTopics} are injected into
 * test methods, lifecycle methods and constructors. The cluster and the server start on first use and
 * are closed when the test run ends (they live in the root context's store), or by the JVM shutdown hook.
 *
 * <p>Tests must not stop, kill or pause the shared cluster; fault tests build their own
 * ({@code try (KafkaCluster kafka = KafkaCluster.builder().brokers(3).build().start())}).
 */
public final class JobstreamExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(JobstreamExtension.class);
    private static final Set<Class<?>> SUPPORTED = Set.of(KafkaCluster.class, RedisServer.class, TestTopics.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return SUPPORTED.contains(parameterContext.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type == KafkaCluster.class) {
            return sharedKafka(extensionContext);
        }
        if (type == RedisServer.class) {
            return sharedRedis(extensionContext);
        }
        return new TestTopics(testName(extensionContext), () -> sharedKafka(extensionContext));
    }

    /** The JVM's shared one-broker cluster, started on first use. */
    public static KafkaCluster sharedKafka(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(
                        KafkaCluster.class,
                        key -> KafkaCluster.builder()
                                .name("shared-kafka")
                                .build()
                                .start(),
                        KafkaCluster.class);
    }

    /** The JVM's shared Redis server, started on first use. */
    public static RedisServer sharedRedis(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(
                        RedisServer.class,
                        key -> RedisServer.builder()
                                .name("shared-redis")
                                .build()
                                .start(),
                        RedisServer.class);
    }

    private static String testName(ExtensionContext context) {
        return context.getTestMethod().map(Method::getName).orElseGet(() -> context.getTestClass()
                .map(Class::getSimpleName)
                .orElse("test"));
    }
}

package io.jobstream.testkit;

/**
 * Run by {@link ProcessCleanupIT} as a JVM of its own: starts a cluster and a Redis server, reports
 * readiness on stdout, then waits to be killed or told to exit without closing anything.
 */
public final class AbandonedClusterMain {

    private AbandonedClusterMain() {}

    public static void main(String[] args) throws Exception {
        KafkaCluster.builder().name("abandoned").build().start();
        RedisServer.builder().name("abandoned-redis").build().start();
        System.out.println("READY");
        System.out.flush();
        // "exit" on stdin: leave without closing, so only the shutdown hook can clean up.
        int read = System.in.read();
        System.exit(read == 'e' ? 0 : 1);
    }
}

package io.jobstream.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux network namespace joined to this machine by a veth pair, so that a process started in it ({@link
 * #launcher()}) can be cut off from everything else ({@link #partition()}) and joined again ({@link #heal()}) while
 * it runs — a network partition on one machine. Needs root and iproute2 ({@code ip}); {@link #create(String)} fails,
 * saying so, without them.
 *
 * <pre>{@code
 * try (NetworkNamespace ns = NetworkNamespace.create("np");
 *         KafkaCluster kafka = KafkaCluster.builder().host(ns.hostAddress()).build().start()) {
 *     List<String> command = new ArrayList<>(ns.launcher());  // ip netns exec js-np-<pid>-<n>
 *     command.addAll(List.of("java", "-jar", ...));            // reaches kafka.bootstrapServers()
 *     ns.partition();                                         // its packets vanish, both ways
 *     ns.heal();
 * }
 * }</pre>
 *
 * <p>The pair has a /30 of 10.77.0.0/16: {@link #hostAddress()} on the host end, {@link #address()} inside, which
 * routes everything through the host end (so it reaches only this machine's addresses: bind servers to {@link
 * #hostAddress()}, not to 127.0.0.1). A partition is a blackhole, not a refusal: each end's neighbour entry for the
 * other is replaced by a made-up MAC address, so every frame is sent and dropped by the receiving end (addressed to
 * another host) — no RST, no ICMP, connections stay open and time out, as across a broken switch. {@link #heal()}
 * removes the entries and ARP finds the real ones again; TCP's retransmissions then resume the open connections.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and deletes the namespace (which destroys the veth pair); processes
 * still running in it lose their network but are not ended: end them first. A JVM shutdown hook closes it too, and
 * {@link #create(String)} deletes namespaces this class left behind for JVMs that no longer run.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final Pattern OURS = Pattern.compile("js-[a-z0-9]{1,8}-(\\d+)-\\d+");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** The /30s of 10.77.0.0/16. */
    private static final int SUBNETS = 1 << 14;

    private static final String BLACKHOLE_MAC_HOST = "02:00:00:4a:53:01";
    private static final String BLACKHOLE_MAC_INSIDE = "02:00:00:4a:53:02";

    private final String name;
    private final String hostInterface;
    private final String insideInterface;
    private final String hostAddress;
    private final String address;
    private final Thread shutdownHook;
    private boolean partitioned;
    private boolean closed;

    private NetworkNamespace(
            String name, String hostInterface, String insideInterface, String hostAddress, String address) {
        this.name = name;
        this.hostInterface = hostInterface;
        this.insideInterface = insideInterface;
        this.hostAddress = hostAddress;
        this.address = address;
        this.shutdownHook = new Thread(this::close, "network-namespace-" + name + "-cleanup");
    }

    /**
     * Creates the namespace {@code js-<label>-<pid>-<n>} and its veth pair, up, with a default route through the host
     * end.
     *
     * @param label a short label ({@code [a-z0-9]{1,8}})
     * @throws TestkitException naming what is missing when this machine cannot (not root, no {@code ip}, a kernel
     *     without network namespaces or veth), or what failed
     */
    public static NetworkNamespace create(String label) {
        if (!label.matches("[a-z0-9]{1,8}")) {
            throw new IllegalArgumentException("label must match [a-z0-9]{1,8} (was '" + label + "')");
        }
        removeLeftovers();
        long pid = ProcessHandle.current().pid();
        int n = SEQUENCE.getAndIncrement();
        String id = Long.toString(pid, 36) + Integer.toString(n, 36);
        NetworkNamespace namespace = null;
        int first = (int) Math.floorMod(pid * 31 + n * 7919L, SUBNETS);
        for (int attempt = 0; attempt < 8 && namespace == null; attempt++) {
            int subnet = (first + attempt * 97) % SUBNETS;
            int base = subnet * 4;
            String prefix = "10.77." + (base >> 8) + ".";
            NetworkNamespace candidate = new NetworkNamespace(
                    "js-" + label + "-" + pid + "-" + n,
                    "jsh" + id + attempt,
                    "jsn" + id + attempt,
                    prefix + ((base & 0xff) + 1),
                    prefix + ((base & 0xff) + 2));
            if (addressInUse(candidate.hostAddress)) {
                continue;
            }
            candidate.setUp();
            namespace = candidate;
        }
        if (namespace == null) {
            throw new TestkitException("no free /30 in 10.77.0.0/16 for a network namespace after 8 tries");
        }
        Runtime.getRuntime().addShutdownHook(namespace.shutdownHook);
        return namespace;
    }

    private void setUp() {
        try {
            ip("netns", "add", name);
        } catch (TestkitException e) {
            throw new TestkitException(
                    "cannot create a network namespace: `ip netns add` needs root (CAP_SYS_ADMIN) and iproute2"
                            + " (apt-get install iproute2); this test partitions a process from the network with one."
                            + " "
                            + e.getMessage(),
                    e);
        }
        try {
            ip("link", "add", hostInterface, "type", "veth", "peer", "name", insideInterface);
            ip("link", "set", insideInterface, "netns", name);
            ip("addr", "add", hostAddress + "/30", "dev", hostInterface);
            ip("link", "set", hostInterface, "up");
            inside("addr", "add", address + "/30", "dev", insideInterface);
            inside("link", "set", insideInterface, "up");
            inside("link", "set", "lo", "up");
            inside("route", "add", "default", "via", hostAddress);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The namespace's name ({@code js-<label>-<pid>-<n>}). */
    public String name() {
        return name;
    }

    /** The host end's address: what servers a process in the namespace must reach bind to. */
    public String hostAddress() {
        return hostAddress;
    }

    /** The namespace end's address: where connections from the namespace come from. */
    public String address() {
        return address;
    }

    /** The command that runs what follows it in the namespace: {@code ip netns exec <name>} (it execs, same pid). */
    public List<String> launcher() {
        return List.of("ip", "netns", "exec", name);
    }

    /**
     * Cuts the namespace off: from now on every packet between it and the host vanishes, both ways, without an error
     * on either side (see the class comment).
     */
    public synchronized void partition() {
        requireOpen();
        ip("neigh", "replace", address, "lladdr", BLACKHOLE_MAC_HOST, "dev", hostInterface, "nud", "permanent");
        inside(
                "neigh",
                "replace",
                hostAddress,
                "lladdr",
                BLACKHOLE_MAC_INSIDE,
                "dev",
                insideInterface,
                "nud",
                "permanent");
        partitioned = true;
    }

    /** Ends a {@link #partition()}: packets flow again (ARP resolves both ends anew). */
    public synchronized void heal() {
        requireOpen();
        ip("neigh", "del", address, "dev", hostInterface);
        inside("neigh", "del", hostAddress, "dev", insideInterface);
        partitioned = false;
    }

    public synchronized boolean isPartitioned() {
        return partitioned;
    }

    /** Deletes the namespace and the veth pair; idempotent, best effort (what fails is printed, not thrown). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (List<String> command :
                List.of(List.of("netns", "delete", name), List.of("link", "delete", hostInterface))) {
            try {
                ip(command.toArray(String[]::new));
            } catch (TestkitException e) {
                // the link is gone with the namespace when it was moved in; anything else is reported
                if (!e.getMessage().contains("Cannot find device")
                        && !e.getMessage().contains("No such file")) {
                    System.err.println("jobstream-testkit: cleaning up network namespace " + name + ": " + e);
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | SecurityException shuttingDown) {
            // called from the hook itself, or the JVM is exiting
        }
    }

    @Override
    public String toString() {
        return "network namespace " + name + " (" + address + " via " + hostAddress + " on " + hostInterface + ")";
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private void inside(String... args) {
        List<String> command = new ArrayList<>(List.of("netns", "exec", name, "ip"));
        command.addAll(List.of(args));
        ip(command.toArray(String[]::new));
    }

    /** Deletes the namespaces named by this class for a JVM that no longer runs. */
    private static void removeLeftovers() {
        String list;
        try {
            list = ip("netns", "list");
        } catch (TestkitException e) {
            return; // create says what is wrong
        }
        for (String line : list.lines().toList()) {
            Matcher ours = OURS.matcher(line.split(" ")[0]);
            if (ours.matches()
                    && ProcessHandle.of(Long.parseLong(ours.group(1))).isEmpty()) {
                try {
                    ip("netns", "delete", ours.group());
                } catch (TestkitException e) {
                    System.err.println("jobstream-testkit: cannot delete a left-over namespace: " + e.getMessage());
                }
            }
        }
    }

    private static boolean addressInUse(String address) {
        return ip("-o", "-4", "addr", "show").contains(" " + address + "/");
    }

    /** Runs {@code ip <args>} (10 s at most) and returns its output; throws with the output when it fails. */
    private static String ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new TestkitException(String.join(" ", command) + " did not end within 10 s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new TestkitException(
                        String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new TestkitException(String.join(" ", command) + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("interrupted while running " + String.join(" ", command), e);
        }
    }
}

package io.jobstream.testkit.internal;

import io.jobstream.testkit.TestkitException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on the loopback interface, chosen by the kernel. */
public final class FreePorts {

    private FreePorts() {}

    /** {@code count} distinct ports that were free a moment ago (all held open together, then released). */
    public static int[] allocate(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new TestkitException("Cannot find free ports on 127.0.0.1: " + e, e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // best effort: the port is released when the socket is collected anyway
                }
            }
        }
    }
}

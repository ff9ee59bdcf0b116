package io.streamrag.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports on 127.0.0.1 that nothing listens on right now. Another process may take one between this call and its use:
 * callers that need a port for good (a broker that restarts on the same port) pick once and keep it.
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** {@code count} distinct free ports: all held open together while picking, so none is returned twice. */
    static List<Integer> pick(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                socket.setReuseAddress(true);
                sockets.add(socket);
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** {@code count} consecutive ports from {@code first}, or {@link #pick} when {@code first} is 0. */
    static List<Integer> fromOrPick(int first, int count) throws IOException {
        if (first == 0) {
            return pick(count);
        }
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(first + i);
        }
        return ports;
    }

    /**
     * A port that was free on loopback a moment ago. Another process may take it before the caller binds it; the
     * caller then fails to start with "address in use" and may retry.
     */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}

package io.streamrag.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports on 127.0.0.1 that nothing listens on right now. Another process may take one between this call and its use:
 * callers that need a port for good (a broker that restarts on the same port) pick once and keep it.
 */
final class FreePorts {
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
}

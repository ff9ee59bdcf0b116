package io.streamrag.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on loopback, for processes that must be told their port before they start. */
final class FreePorts {
    private FreePorts() {
    }

    /**
     * A port that was free on loopback a moment ago. Another process may take it before the caller binds it; the
     * caller then fails to start with "address in use" and may retry.
     */
    static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}

package io.streamrag.core.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real redis-server (the embedded-redis binary) on a free port, restartable, with its files in one directory.
 * Shared with other modules' tests through core's test jar.
 */
public final class TestRedis implements AutoCloseable {
    private final int port;
    private final Path dir;
    private RedisServer server;

    public TestRedis(Path dir) {
        this.port = freePort();
        this.dir = dir;
        start();
    }

    public void start() {
        try {
            server = RedisServer.newRedisServer()
                    .port(port)
                    .setting("bind 127.0.0.1")
                    .setting("dir " + dir.toAbsolutePath())
                    .setting("dbfilename dump.rdb")
                    .setting("save \"\"") // snapshots only when a test asks for one (SAVE)
                    .setting("appendonly no")
                    .setting("maxmemory-policy volatile-lru")
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis-server on port " + port, e);
        }
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop redis-server on port " + port, e);
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (server != null && server.isActive()) {
            stop();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }
}

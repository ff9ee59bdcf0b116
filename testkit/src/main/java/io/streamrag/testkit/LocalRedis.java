package io.streamrag.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real redis-server (the binary shipped in {@code embedded-redis}), on localhost only. Caches are
 * not kept across restarts (no snapshots, no append-only file): after a restart the caches start empty, which the
 * cache protocol requires anyway (a restarted Redis has a new run id). Eviction only touches entries with a TTL
 * ({@code volatile-lru}), never the epoch and sequence counters.
 *
 * <p>The creator owns it; {@link #stop()} and {@link #start()} exist for tests of Redis failures. Thread-safe.
 */
public final class LocalRedis implements AutoCloseable {
    private final int port;
    private final Path dir;
    private RedisServer server;

    private LocalRedis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts a redis-server on {@code port} with its working files under {@code dir}. */
    public static LocalRedis start(int port, Path dir) throws IOException {
        LocalRedis redis = new LocalRedis(port, Files.createDirectories(dir));
        redis.start();
        return redis;
    }

    /** (Re)starts the server on the same port. */
    public synchronized void start() {
        try {
            server = RedisServer.newRedisServer()
                    .port(port)
                    .setting("bind 127.0.0.1")
                    .setting("dir " + dir.toAbsolutePath())
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("maxmemory 256mb")
                    .setting("maxmemory-policy volatile-lru")
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis-server on port " + port + " (is it in use?)", e);
        }
    }

    /** Stops the server; the caches are bypassed until {@link #start()}. */
    public synchronized void stop() {
        try {
            if (server != null && server.isActive()) {
                server.stop();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop redis-server on port " + port, e);
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "LocalRedis{" + url() + ", dir=" + dir + "}";
    }
}

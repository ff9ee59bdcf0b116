package io.streamrag.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server (the binary shipped in {@code embedded-redis}) as a child process on 127.0.0.1, for fault tests
 * and the local cluster. Unlike {@link LocalRedis} it exposes the process: {@link #kill()} SIGKILLs it,
 * {@link #start()} starts it again on the same port and directory, and with {@link Builder#appendOnly(boolean)} the
 * data survive a restart (every write is appended and fsynced once a second).
 *
 * <p>Files under its directory: {@code bin/} (the extracted binary), {@code redis.log}, and with append-only on,
 * {@code appendonly.aof}. The creator owns it and closes it. Thread-safe.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final int port;
    private final Path dir;
    private final boolean appendOnly;
    private final String maxMemory;
    private final boolean detached;
    private ChildProcess process;

    private RedisProcess(Builder builder, int port) {
        this.port = port;
        this.dir = builder.dir;
        this.appendOnly = builder.appendOnly;
        this.maxMemory = builder.maxMemory;
        this.detached = builder.detached;
    }

    /** Starts describing a redis-server that keeps its files under {@code dir}. */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Options of a {@link RedisProcess}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private final Path dir;
        private int port;
        private boolean appendOnly;
        private String maxMemory = "256mb";
        private boolean detached;

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
        }

        /** The port on 127.0.0.1; 0 (the default) picks a free one once, kept across restarts. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (pick) or in 1..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Keep the data across restarts, kills included ({@code appendonly yes}). Default false: caches only. */
        public Builder appendOnly(boolean appendOnly) {
            this.appendOnly = appendOnly;
            return this;
        }

        /** {@code maxmemory}, e.g. {@code 256mb}; eviction only touches keys with a TTL. Default 256mb. */
        public Builder maxMemory(String maxMemory) {
            if (maxMemory == null || !maxMemory.matches("\\d+(?i)(b|kb|mb|gb)?")) {
                throw new IllegalArgumentException("maxMemory must look like 256mb, got '" + maxMemory + "'");
            }
            this.maxMemory = maxMemory;
            return this;
        }

        /** Run it in its own session so that it outlives this JVM (infra/local-cluster). Default false. */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /** A server that is not started yet. */
        public RedisProcess build() {
            try {
                return new RedisProcess(this, port != 0 ? port : FreePorts.pick(1).get(0));
            } catch (IOException e) {
                throw new UncheckedIOException("could not pick a free port on 127.0.0.1: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Starts redis-server and waits until it answers PING (after loading its append-only file, if any).
     *
     * @throws IllegalStateException if it runs already, or exits or does not answer in time (with its log's end)
     */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " runs already (pid " + process.pid() + ")");
        }
        Path binDir = Files.createDirectories(dir.resolve("bin"));
        String binary = ExecutableProvider.newJarResourceProvider(binDir.toFile()).get().getAbsolutePath();
        process = ChildProcess.builder("redis")
                .command(List.of(binary,
                        "--port", Integer.toString(port),
                        "--bind", "127.0.0.1",
                        "--dir", dir.toString(),
                        "--save", "",
                        "--appendonly", appendOnly ? "yes" : "no",
                        "--appendfsync", "everysec",
                        "--maxmemory", maxMemory,
                        "--maxmemory-policy", "volatile-lru"))
                .directory(dir)
                .logFile(dir.resolve("redis.log"))
                .detached(detached)
                .start();
        awaitPong();
    }

    /** SIGKILLs the server and waits until it is gone. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    /** Stops the server cleanly (SIGTERM: it writes its append-only file), SIGKILL after 10 s. */
    public synchronized void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(10));
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The current process; {@code null} before {@link #start()}. */
    public synchronized ChildProcess process() {
        return process;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitPong() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitCode() + " (port " + port
                        + " in use?); end of " + process.logFile() + ":\n" + process.logTail(20));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                socket.setSoTimeout(1000);
                OutputStream out = socket.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                last = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if ("+PONG".equals(last)) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        process.kill();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within " + READY_TIMEOUT
                + " (last: " + last + "); see " + process.logFile());
    }

    @Override
    public String toString() {
        return "RedisProcess{" + url() + ", dir=" + dir + ", appendOnly=" + appendOnly + "}";
    }
}

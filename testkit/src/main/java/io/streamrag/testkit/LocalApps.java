package io.streamrag.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The local cluster's streamrag processes: the invalidation processor and N query processors, each started as
 * {@code streamrag invalidation|query-processor --config FILE} in a JVM of its own (detached, recorded by
 * {@link LocalClusterMain}), with a configuration file written here: the cluster's Kafka, Redis and index, a state
 * directory and a health port each.
 */
final class LocalApps {
    /** The {@code streamrag} command's main class; testkit does not depend on the CLI, the classpath brings it. */
    static final String STREAMRAG_MAIN = "io.streamrag.cli.Streamrag";

    /** A started process and the URL of its /ready endpoint. */
    record App(ChildProcess process, String healthUrl) {
        /**
         * Waits until {@code /ready} answers 200.
         *
         * @throws IllegalStateException if the process exits first or the timeout passes, with its log's tail
         */
        void awaitReady(Duration timeout) throws InterruptedException {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest ready = HttpRequest.newBuilder(URI.create(healthUrl + "/ready")).timeout(Duration.ofSeconds(5))
                    .build();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(process.name() + " exited with status " + process.exitCode()
                            + "; its log " + process.logFile() + " ends with:\n" + process.logTail(20));
                }
                try {
                    if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(250);
            }
            throw new IllegalStateException(process.name() + " was not ready within " + timeout + "; its log "
                    + process.logFile() + " ends with:\n" + process.logTail(20));
        }
    }

    private final Path dir;
    private final String classpath;
    private final String bootstrap;
    private final String redisUrl;
    private final Path indexDir;

    LocalApps(Path dir, String classpath, String bootstrap, String redisUrl, Path indexDir) {
        this.dir = dir;
        this.classpath = classpath;
        this.bootstrap = bootstrap;
        this.redisUrl = redisUrl;
        this.indexDir = indexDir;
    }

    /**
     * Starts the invalidation processor (health on {@code firstPort}) and {@code queryProcessors} query processors
     * (health on {@code firstPort + 1 + i}); {@code firstPort} 0 picks free ports. Returns at once.
     */
    List<App> start(int queryProcessors, int firstPort, PrintStream out) throws IOException {
        List<Integer> ports = firstPort == 0 ? FreePorts.pick(queryProcessors + 1)
                : FreePorts.fromOrPick(firstPort, queryProcessors + 1);
        List<App> apps = new ArrayList<>();
        apps.add(start("invalidation", "invalidation", ports.get(0), List.of()));
        for (int i = 0; i < queryProcessors; i++) {
            apps.add(start("query-" + (i + 1), "query-processor", ports.get(i + 1),
                    List.of("index.dir=" + indexDir, "num.stream.threads=4")));
        }
        out.println("started the invalidation processor and " + queryProcessors + " query processors; logs in " + dir);
        return apps;
    }

    private App start(String name, String command, int healthPort, List<String> extra) throws IOException {
        List<String> config = new ArrayList<>(List.of(
                "bootstrap.servers=" + bootstrap,
                "redis.url=" + redisUrl,
                "state.dir=" + dir.resolve("state").resolve(name),
                "health.port=" + healthPort));
        config.addAll(extra);
        Path file = Files.createDirectories(dir).resolve(name + ".properties");
        Files.write(file, config);
        List<String> jvmOptions = new ArrayList<>(List.of("-Xmx768m", "-XX:+UseZGC",
                "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp").resolve(name))));
        jvmOptions.addAll(FlinkCluster.JAVA_17_OPENS);
        List<String> argv = JavaCommand.of(classpath, jvmOptions, STREAMRAG_MAIN,
                List.of(command, "--config", file.toString()));
        ChildProcess process = ChildProcess.builder(name).command(argv).directory(dir)
                .logFile(dir.resolve(name + ".log")).detached(true).start();
        return new App(process, "http://127.0.0.1:" + healthPort);
    }
}

package io.streamrag.testkit;

import io.streamrag.testkit.LocalClusterState.RecordedProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The engine of {@code infra/local-cluster}: {@code up} starts the local cluster's processes in the background and
 * returns, {@code down} stops them, {@code status} tells what runs, {@code restart NAME} starts one that died (or was
 * killed) again. Options: {@link LocalClusterOptions}.
 *
 * <p>Every process {@code up} starts is a named {@link ChildProcess}, detached from this JVM, recorded at once in
 * {@link LocalClusterState} (a pid file and {@code cluster.properties}) so that {@code down} finds it from another
 * JVM. To add a process (the Flink cluster, query processors, ...): start it in {@link #up} after what it depends on,
 * {@code state.addProcess(...)} it, and {@code state.putEndpoint(...)} what clients need; {@code down} and
 * {@code status} need no change.
 *
 * <p>Exit codes: 0 done (status: everything runs); 1 failed, or status found a process not running; 2 bad usage.
 */
public final class LocalClusterMain {
    /** How long {@code down} waits after SIGTERM before SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final LocalClusterOptions options;
    private final PrintStream out;

    LocalClusterMain(LocalClusterOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /**
     * Runs one command line ({@code up ...}, {@code down ...}) in this JVM, printing to {@code out} and {@code err}.
     *
     * @return the exit code (see the class comment)
     */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        LocalClusterOptions options;
        try {
            options = LocalClusterOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("local-cluster: " + e.getMessage());
            return 2;
        }
        try {
            return new LocalClusterMain(options, out).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("local-cluster: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("local-cluster " + options.command() + " failed: " + e.getMessage());
            return 1;
        }
    }

    int run() throws Exception {
        return switch (options.command()) {
            case "up" -> up();
            case "down" -> down();
            case "status" -> status();
            case "restart" -> restart();
            default -> throw new IllegalStateException("unknown command " + options.command());
        };
    }

    /**
     * Starts Kafka (3 brokers, the stack's topics), Redis, a Flink session cluster and, given the CLI's classpath,
     * the invalidation processor and the query processors; on any failure stops what it started and throws. The
     * ingest job is deployed afterwards with {@code streamrag deploy} (the script does it).
     */
    private int up() throws Exception {
        Path dir = options.dir();
        LocalClusterState state = LocalClusterState.load(dir);
        List<String> running = state.processes().stream().filter(p -> p.handle().isPresent())
                .map(p -> p.name() + " (pid " + p.pid() + ")").toList();
        if (!running.isEmpty()) {
            throw new IllegalStateException("already up in " + dir + ": " + running + "; run 'down' first");
        }
        state.clear();
        List<AutoCloseable> started = new ArrayList<>();
        try {
            KafkaCluster kafka = KafkaCluster.builder(dir.resolve("kafka"))
                    .firstClientPort(options.kafkaPort())
                    .firstControllerPort(options.kafkaPort() == 0 ? 0 : options.kafkaPort() + 100)
                    .detached(true)
                    .build();
            started.add(kafka);
            out.println("starting " + kafka.nodeIds().size() + " Kafka brokers in " + dir.resolve("kafka") + " ...");
            kafka.start();
            for (ChildProcess broker : kafka.processes()) {
                state.addProcess(broker);
            }
            kafka.awaitReady(READY_TIMEOUT);
            createTopics(kafka.bootstrapServers());
            state.putEndpoint("kafka.bootstrap", kafka.bootstrapServers());

            RedisProcess redis = RedisProcess.builder(dir.resolve("redis")).port(options.redisPort()).detached(true)
                    .build();
            started.add(redis);
            redis.start();
            state.addProcess(redis.process());
            state.putEndpoint("redis.url", redis.url());

            out.println("starting a Flink session cluster (JobManager, " + options.taskManagers()
                    + " TaskManagers) in " + dir.resolve("flink") + " ...");
            FlinkCluster flink = FlinkCluster.builder().workDir(dir.resolve("flink")).restPort(options.flinkPort())
                    .taskManagers(options.taskManagers()).slotsPerTaskManager(2).taskHeapMb(512).detached(true)
                    .startupTimeout(READY_TIMEOUT).build();
            started.add(flink);
            for (ChildProcess process : flink.processes()) {
                state.addProcess(process);
            }
            state.putEndpoint("flink.rest", flink.restUrl());
            state.putEndpoint("index.dir", dir.resolve("index").toString());
            state.putEndpoint("checkpoint.dir", dir.resolve("checkpoints").toString());

            if (!options.appsClasspath().isBlank()) {
                LocalApps apps = new LocalApps(dir.resolve("apps"), options.appsClasspath(), kafka.bootstrapServers(),
                        redis.url(), dir.resolve("index"));
                List<LocalApps.App> appsStarted = apps.start(options.queryProcessors(), options.appPort(), out);
                for (LocalApps.App app : appsStarted) {
                    started.add(app.process());
                    state.addProcess(app.process());
                    state.putEndpoint(app.process().name() + ".health", app.healthUrl());
                }
                for (LocalApps.App app : appsStarted) {
                    app.awaitReady(READY_TIMEOUT);
                }
            }
        } catch (Exception e) {
            out.println("up failed; stopping what was started");
            for (int i = started.size() - 1; i >= 0; i--) {
                closeQuietly(started.get(i), e);
            }
            state.clear();
            throw e;
        }
        out.println("local cluster up in " + dir);
        printEndpoints(state);
        out.println("logs: " + dir.resolve("kafka").resolve("broker-N").resolve("broker.log") + ", "
                + dir.resolve("redis").resolve("redis.log") + ", " + dir.resolve("flink").resolve("log")
                + (options.appsClasspath().isBlank() ? "" : ", " + dir.resolve("apps").resolve("NAME.log")));
        out.println("stop: infra/local-cluster down --dir " + dir);
        return 0;
    }

    private void createTopics(String bootstrap) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            StackTopics.createMissing(admin, StackTopics.all(options.queryPartitions(), (short) 3, 2));
        }
    }

    /** SIGTERM to every recorded process (last started first), SIGKILL to those alive after the grace period. */
    private int down() throws IOException, InterruptedException {
        LocalClusterState state = LocalClusterState.load(options.dir());
        List<RecordedProcess> processes = new ArrayList<>(state.processes());
        if (processes.isEmpty()) {
            out.println("nothing recorded in " + options.dir() + ": not up");
            return 0;
        }
        java.util.Collections.reverse(processes);
        List<CompletableFuture<ProcessHandle>> exits = new ArrayList<>();
        List<RecordedProcess> stopping = new ArrayList<>();
        for (RecordedProcess process : processes) {
            Optional<ProcessHandle> handle = process.handle();
            if (handle.isEmpty()) {
                out.println(process.name() + " (pid " + process.pid() + ") was not running");
                continue;
            }
            handle.get().destroy();
            stopping.add(process);
            exits.add(handle.get().onExit());
        }
        for (int i = 0; i < stopping.size(); i++) {
            RecordedProcess process = stopping.get(i);
            try {
                exits.get(i).get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                out.println("stopped " + process.name() + " (pid " + process.pid() + ")");
            } catch (TimeoutException e) {
                process.handle().ifPresent(ProcessHandle::destroyForcibly);
                out.println("killed " + process.name() + " (pid " + process.pid() + "): still running "
                        + STOP_GRACE + " after SIGTERM");
            } catch (ExecutionException e) {
                throw new IllegalStateException("could not wait for " + process.name() + " to exit", e);
            }
        }
        state.clear();
        out.println("local cluster down; data kept in " + options.dir() + " (delete it for a fresh cluster)");
        return 0;
    }

    /**
     * Starts one recorded process again (after a kill -9 by hand), with its recorded command, directory and log. It
     * must not be running. Returns once the process runs; it does not wait for it to be ready.
     */
    private int restart() throws IOException, InterruptedException {
        LocalClusterState state = LocalClusterState.load(options.dir());
        RecordedProcess recorded = state.processes().stream().filter(p -> p.name().equals(options.processName()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no process '" + options.processName()
                        + "' recorded in " + options.dir() + "; recorded: "
                        + state.processes().stream().map(RecordedProcess::name).toList()));
        Optional<ProcessHandle> running = recorded.handle();
        if (running.isPresent()) {
            // a process killed a moment ago stays visible until its parent (init, as up has exited) reaps it
            try {
                running.get().onExit().get(5, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalStateException(recorded.name() + " still runs (pid " + recorded.pid()
                        + "): kill it first", e);
            }
        }
        ChildProcess process = recorded.relaunch();
        state.addProcess(process);
        out.println("started " + process.name() + " (pid " + process.pid() + "), log " + process.logFile());
        return 0;
    }

    /** Prints each recorded process and the endpoints; 0 if every process runs. */
    private int status() throws IOException {
        LocalClusterState state = LocalClusterState.load(options.dir());
        List<RecordedProcess> processes = state.processes();
        if (processes.isEmpty()) {
            out.println("not up (nothing recorded in " + options.dir() + ")");
            return 1;
        }
        boolean allRunning = true;
        for (RecordedProcess process : processes) {
            boolean alive = process.handle().isPresent();
            allRunning &= alive;
            out.printf("%-12s pid %-8d %-11s log %s%n", process.name(), process.pid(),
                    alive ? "running" : "NOT RUNNING", process.logFile());
        }
        printEndpoints(state);
        return allRunning ? 0 : 1;
    }

    private void printEndpoints(LocalClusterState state) {
        state.endpoints().forEach((key, value) -> out.println(key + "=" + value));
    }

    private static void closeQuietly(AutoCloseable resource, Exception cause) {
        try {
            resource.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}

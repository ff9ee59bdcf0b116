package io.streamrag.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink standalone session cluster on loopback: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), each its own child
 * JVM started from {@link FlinkClasspath} (Flink only: jobs bring their classes in their jar), the way flink-dist's
 * {@code bin/} scripts would start them.
 *
 * <p>Working directory layout: {@code conf/} (the generated {@code config.yaml} and {@code log4j.properties}, also
 * usable as {@code FLINK_CONF_DIR} of a {@code flink run} client, see {@link #clientCommand}), {@code log/} (one
 * {@code .log} and one {@code .out} per process), {@code tmp/<process>/} (each process's {@code java.io.tmpdir},
 * {@code io.tmp.dirs} and {@code DJL_CACHE_DIR}), {@code upload/} (jars uploaded through REST).
 *
 * <p>The creator owns the cluster and must {@link #close()} it: that stops every process it started by its own
 * {@link Process} handle (a JVM shutdown hook does the same if the creator never gets to). Not thread-safe.
 */
public final class FlinkCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What Flink's launch scripts open on Java 17 ({@code env.java.opts.all} of flink-dist's config.yaml). */
    static final List<String> JAVA_17_OPENS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Settings settings;
    private final Path confDir;
    private final String classpath;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread shutdownHook;
    private ChildProcess jobManager;
    private final List<ChildProcess> taskManagers = new ArrayList<>();

    private FlinkCluster(Settings settings, Path confDir, String classpath, int restPort) {
        this.settings = settings;
        this.confDir = confDir;
        this.classpath = classpath;
        this.restPort = restPort;
        this.shutdownHook = new Thread(this::stopAll, "flink-cluster-shutdown");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The REST endpoint, e.g. {@code http://localhost:8081}. */
    public String restUrl() {
        return "http://localhost:" + restPort;
    }

    /** The REST port, also the port {@code flink run -m localhost:PORT} submits to. */
    public int restPort() {
        return restPort;
    }

    /** The generated configuration directory: {@code FLINK_CONF_DIR} for a client of this cluster. */
    public Path confDir() {
        return confDir;
    }

    /** Where the processes' logs are ({@code jobmanager.log}, {@code taskmanager-<i>.log}, and {@code .out}). */
    public Path logDir() {
        return settings.workDir().resolve("log");
    }

    public int taskManagerCount() {
        return settings.taskManagers();
    }

    /** The JobManager and the TaskManagers, in that order, for whoever records them (the local cluster). */
    public List<ChildProcess> processes() {
        List<ChildProcess> all = new ArrayList<>();
        all.add(jobManager);
        all.addAll(taskManagers);
        return all;
    }

    /**
     * Starts the cluster and waits until all its TaskManagers are registered.
     *
     * @throws IOException when a process cannot be started, dies while starting, or the cluster does not report
     *                     its TaskManagers in time; the message names the log to read. Whatever was started is
     *                     stopped again before this throws.
     */
    private void start() throws IOException, InterruptedException {
        if (!settings.detached()) {
            // a detached cluster outlives this JVM on purpose
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        try {
            jobManager = startProcess("jobmanager", jobManagerCommand());
            for (int i = 0; i < settings.taskManagers(); i++) {
                taskManagers.add(startProcess(taskManagerName(i), taskManagerCommand(i)));
            }
            awaitTaskManagers(settings.taskManagers());
            LOG.info("Flink cluster up: REST {}, {} TaskManagers x {} slots, working directory {}", restUrl(),
                    settings.taskManagers(), settings.slotsPerTaskManager(), settings.workDir());
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Kills TaskManager {@code i} with SIGKILL (no shutdown of any kind) and waits until its process is gone. */
    public void killTaskManager(int i) throws InterruptedException {
        ChildProcess tm = taskManager(i);
        tm.kill();
        LOG.info("Killed {} (pid {})", tm.name(), tm.pid());
    }

    /**
     * Starts TaskManager {@code i} again (killing it first if it still runs) with the same resource id, and waits
     * until the cluster reports all its TaskManagers registered.
     */
    public void restartTaskManager(int i) throws IOException, InterruptedException {
        ChildProcess old = taskManager(i);
        if (old.isAlive()) {
            killTaskManager(i);
        }
        taskManagers.set(i, startProcess(taskManagerName(i), taskManagerCommand(i)));
        awaitTaskManagers(settings.taskManagers());
    }

    /** Whether TaskManager {@code i}'s process is running. */
    public boolean isTaskManagerAlive(int i) {
        return taskManager(i).isAlive();
    }

    /**
     * A command line running Flink's own client ({@code CliFrontend}, what {@code bin/flink} runs) against this
     * cluster, e.g. {@code clientCommand("run", "-d", "-m", "localhost:" + restPort(), jar, flags...)}. The caller
     * starts and owns the process; it needs {@code FLINK_CONF_DIR} set to {@link #confDir()} in its environment.
     */
    public List<String> clientCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx512m");
        command.addAll(JAVA_17_OPENS);
        command.add("-Dlog.file=" + logDir().resolve("client.log"));
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-Djava.io.tmpdir=" + tmpDir("client"));
        command.add("-cp");
        command.add(classpath);
        command.add("org.apache.flink.client.cli.CliFrontend");
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Stops every process this cluster started, TaskManagers first: SIGTERM, then SIGKILL for any still running
     * after 15 s. Idempotent.
     */
    @Override
    public void close() {
        stopAll();
        if (settings.detached()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (or ran) stopAll itself
            LOG.debug("JVM shutting down; the shutdown hook stops the Flink processes", e);
        }
    }

    private synchronized void stopAll() {
        List<ChildProcess> all = new ArrayList<>(taskManagers);
        if (jobManager != null) {
            all.add(jobManager);
        }
        for (ChildProcess child : all) {
            child.terminate();
        }
        for (ChildProcess child : all) {
            try {
                if (!child.waitFor(Duration.ofSeconds(15))) {
                    LOG.warn("{} (pid {}) did not stop on SIGTERM within 15 s: killing it", child.name(), child.pid());
                    child.kill();
                }
            } catch (InterruptedException e) {
                // still kill the rest, without waiting for them
                all.forEach(ChildProcess::kill);
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ChildProcess taskManager(int i) {
        if (i < 0 || i >= taskManagers.size()) {
            throw new IllegalArgumentException("TaskManager index must be in [0, " + taskManagers.size() + "), got " + i);
        }
        return taskManagers.get(i);
    }

    private static String taskManagerName(int i) {
        return "taskmanager-" + i;
    }

    private ChildProcess startProcess(String name, List<String> command) throws IOException {
        // everything a process needs is on its command line (no environment), so that the local cluster can start
        // a recorded process again from its command alone
        ChildProcess process = ChildProcess.builder(name).command(command).directory(settings.workDir())
                .logFile(logDir().resolve(name + ".out")).detached(settings.detached()).start();
        LOG.info("Started {} (pid {}), log {}", name, process.pid(), logDir().resolve(name + ".log"));
        return process;
    }

    private List<String> jvm(String name, List<String> memory) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(memory);
        command.addAll(JAVA_17_OPENS);
        command.add("-Dlog.file=" + logDir().resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-Djava.io.tmpdir=" + tmpDir(name));
        // DJL reads its native library cache location from this property as from the variable
        command.add("-DDJL_CACHE_DIR=" + tmpDir(name).resolve("djl"));
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    private List<String> jobManagerCommand() {
        List<String> command = jvm("jobmanager", List.of("-Xmx" + settings.jobManagerHeapMb() + "m",
                "-Xms" + settings.jobManagerHeapMb() + "m"));
        command.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        command.addAll(List.of("--configDir", confDir.toString(), "--executionMode", "cluster"));
        command.addAll(List.of("-D", "io.tmp.dirs=" + tmpDir("jobmanager")));
        return command;
    }

    private List<String> taskManagerCommand(int i) {
        String name = taskManagerName(i);
        TaskManagerMemory memory = settings.memory();
        List<String> command = jvm(name, memory.jvmArgs());
        command.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        command.addAll(List.of("--configDir", confDir.toString()));
        for (String property : memory.dynamicProperties()) {
            command.addAll(List.of("-D", property));
        }
        command.addAll(List.of("-D", "taskmanager.cpu.cores=" + settings.slotsPerTaskManager(),
                "-D", "taskmanager.resource-id=" + name,
                "-D", "io.tmp.dirs=" + tmpDir(name)));
        return command;
    }

    private Path tmpDir(String name) {
        Path dir = settings.workDir().resolve("tmp").resolve(name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Polls {@code GET /taskmanagers} until it lists {@code expected} TaskManagers.
     *
     * @throws IOException when the JobManager dies or the count is not reached within the startup timeout
     */
    private void awaitTaskManagers(int expected) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(settings.startupTimeout());
        int registered = -1;
        String lastError = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            if (!jobManager.isAlive()) {
                throw new IOException("the JobManager exited with status " + jobManager.exitCode()
                        + " while starting; see " + logDir().resolve("jobmanager.log") + ", which ends with:\n"
                        + tail("jobmanager"));
            }
            for (ChildProcess tm : taskManagers) {
                if (!tm.isAlive()) {
                    throw new IOException(tm.name() + " exited with status " + tm.exitCode()
                            + " while starting; see " + logDir().resolve(tm.name() + ".log") + ", which ends with:\n"
                            + tail(tm.name()));
                }
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(restUrl() + "/taskmanagers"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode body = JSON.readTree(response.body());
                    registered = body.path("taskmanagers").size();
                    if (registered == expected) {
                        return;
                    }
                } else {
                    lastError = "HTTP " + response.statusCode();
                }
            } catch (ConnectException e) {
                lastError = "REST endpoint not listening yet";
            }
            Thread.sleep(250);
        }
        throw new IOException("the cluster reported " + registered + " of " + expected + " TaskManagers within "
                + settings.startupTimeout() + " (" + lastError + "); see the logs in " + logDir());
    }

    /**
     * The first error of a process's log and output (or their last lines), for a failure message: the working
     * directory may be gone when someone reads it.
     */
    private String tail(String name) {
        StringBuilder text = new StringBuilder();
        for (String suffix : List.of(".log", ".out")) {
            Path file = logDir().resolve(name + suffix);
            try {
                List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
                // the first error with its cause, which the shutdown messages after it would hide
                int firstError = 0;
                while (firstError < lines.size() && !lines.get(firstError).contains(" ERROR ")) {
                    firstError++;
                }
                int from = firstError < lines.size() ? firstError : Math.max(0, lines.size() - 15);
                lines.subList(from, Math.min(lines.size(), from + 15))
                        .forEach(line -> text.append(name).append(suffix).append(": ").append(line).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                text.append(name).append(suffix).append(": (unreadable: ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    /** The options a cluster was built with: a snapshot, so that later changes to the builder do not reach it. */
    private record Settings(Path workDir, int taskManagers, int slotsPerTaskManager, int jobManagerHeapMb,
                            Duration startupTimeout, TaskManagerMemory memory, boolean detached) {
    }

    /**
     * The memory options that flink-dist's scripts compute with {@code BashJavaUtils} before starting a
     * TaskManager: the TaskManager refuses to start without explicit framework/task heap and off-heap, network and
     * managed sizes, and its JVM limits must cover them.
     */
    record TaskManagerMemory(int frameworkHeapMb, int taskHeapMb, int frameworkOffHeapMb, int taskOffHeapMb,
                             int networkMb, int managedMb) {
        private static final int METASPACE_MB = 256;
        /** Native memory outside Flink's accounting (thread stacks, ONNX Runtime's arenas are not counted anyway). */
        private static final int OVERHEAD_MB = 192;

        List<String> dynamicProperties() {
            return List.of(
                    "taskmanager.memory.framework.heap.size=" + frameworkHeapMb + "m",
                    "taskmanager.memory.task.heap.size=" + taskHeapMb + "m",
                    "taskmanager.memory.framework.off-heap.size=" + frameworkOffHeapMb + "m",
                    "taskmanager.memory.task.off-heap.size=" + taskOffHeapMb + "m",
                    "taskmanager.memory.network.min=" + networkMb + "m",
                    "taskmanager.memory.network.max=" + networkMb + "m",
                    "taskmanager.memory.managed.size=" + managedMb + "m",
                    "taskmanager.memory.jvm-metaspace.size=" + METASPACE_MB + "m",
                    "taskmanager.memory.jvm-overhead.min=" + OVERHEAD_MB + "m",
                    "taskmanager.memory.jvm-overhead.max=" + OVERHEAD_MB + "m");
        }

        List<String> jvmArgs() {
            int heap = frameworkHeapMb + taskHeapMb;
            return List.of("-Xmx" + heap + "m", "-Xms" + heap + "m",
                    "-XX:MaxDirectMemorySize=" + (frameworkOffHeapMb + taskOffHeapMb + networkMb) + "m",
                    "-XX:MaxMetaspaceSize=" + METASPACE_MB + "m");
        }
    }

    /**
     * Options of a {@link FlinkCluster}; each setter checks its value. Required: {@link #workDir}.
     */
    public static final class Builder {
        private Path workDir;
        private int taskManagers = 1;
        private int slotsPerTaskManager = 1;
        private int restPort = 0;
        private int jobManagerHeapMb = 512;
        private int taskHeapMb = 512;
        private Duration startupTimeout = Duration.ofMinutes(2);
        private boolean detached;

        private Builder() {
        }

        /**
         * Run the processes in sessions of their own, so that they outlive this JVM ({@code infra/local-cluster});
         * {@link FlinkCluster#close()} still stops them. Default false.
         */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /** Where configuration, logs and temporary files go; created if missing. */
        public Builder workDir(Path workDir) {
            this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath();
            return this;
        }

        /** TaskManager processes, at least 1 (default 1). */
        public Builder taskManagers(int taskManagers) {
            if (taskManagers <= 0) {
                throw new IllegalArgumentException("taskManagers must be > 0, got " + taskManagers);
            }
            this.taskManagers = taskManagers;
            return this;
        }

        /** Task slots per TaskManager, also its {@code taskmanager.cpu.cores} (default 1). */
        public Builder slotsPerTaskManager(int slots) {
            if (slots <= 0) {
                throw new IllegalArgumentException("slotsPerTaskManager must be > 0, got " + slots);
            }
            this.slotsPerTaskManager = slots;
            return this;
        }

        /** The REST port; 0 (the default) picks a free one. */
        public Builder restPort(int restPort) {
            if (restPort < 0 || restPort > 65535) {
                throw new IllegalArgumentException("restPort must be in [0, 65535], got " + restPort);
            }
            this.restPort = restPort;
            return this;
        }

        /** Heap of the JobManager, which also runs the {@code main} of jobs submitted through REST (default 512). */
        public Builder jobManagerHeapMb(int mb) {
            if (mb < 128) {
                throw new IllegalArgumentException("jobManagerHeapMb must be >= 128, got " + mb);
            }
            this.jobManagerHeapMb = mb;
            return this;
        }

        /** Task heap of each TaskManager, shared by its slots (default 512). */
        public Builder taskHeapMb(int mb) {
            if (mb < 64) {
                throw new IllegalArgumentException("taskHeapMb must be >= 64, got " + mb);
            }
            this.taskHeapMb = mb;
            return this;
        }

        /** How long {@link #build()} waits for all TaskManagers to register (default 2 minutes). */
        public Builder startupTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be > 0, got " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        TaskManagerMemory taskManagerMemory() {
            return new TaskManagerMemory(128, taskHeapMb, 128, 128, 64, 64);
        }

        /**
         * Writes the configuration, starts the JobManager and the TaskManagers, and returns once every TaskManager
         * is registered.
         *
         * @throws IllegalStateException when no working directory was given
         * @throws IOException           when the cluster does not come up (the message names the log to read)
         */
        public FlinkCluster build() throws IOException, InterruptedException {
            if (workDir == null) {
                throw new IllegalStateException("workDir is required");
            }
            int rest = restPort == 0 ? FreePorts.pick() : restPort;
            Path conf = FlinkConfDir.write(workDir.resolve("conf"), new FlinkConfDir.Ports(FreePorts.pick(), rest),
                    slotsPerTaskManager, workDir.resolve("upload"));
            Files.createDirectories(workDir.resolve("log"));
            Settings settings = new Settings(workDir, taskManagers, slotsPerTaskManager, jobManagerHeapMb,
                    startupTimeout, taskManagerMemory(), detached);
            FlinkCluster cluster = new FlinkCluster(settings, conf, FlinkClasspath.asArgument(), rest);
            cluster.start();
            return cluster;
        }
    }
}

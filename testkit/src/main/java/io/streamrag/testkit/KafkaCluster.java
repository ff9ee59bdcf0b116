package io.streamrag.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka 4.2 cluster of N brokers on 127.0.0.1, each broker its own child JVM ({@code kafka.Kafka server.properties}
 * from the {@code kafka_2.13} jar), in KRaft combined mode: every broker is also a controller, and the N controllers
 * form a static voter quorum ({@code controller.quorum.voters}).
 *
 * <p>Layout under the data directory: {@code cluster.id}, and per broker {@code broker-<id>/server.properties},
 * {@code broker-<id>/data} (logs and metadata, formatted once by {@code kafka.tools.StorageTool}, kept across
 * restarts) and {@code broker-<id>/broker.log}. With three or more brokers every topic the brokers create themselves
 * (consumer offsets, transaction state) has 3 replicas and {@code min.insync.replicas} 2, so one broker down keeps
 * reads and writes going. Topics are never created automatically.
 *
 * <p>The cluster owns its processes: {@link #close()} stops each one through its own {@link Process} handle, also
 * after a {@link #start()} that failed half-way. Usage:
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.builder(dir).build()) {
 *     kafka.start();
 *     kafka.awaitReady(Duration.ofMinutes(2));
 *     ... kafka.kill(2); ... kafka.restart(2); ...
 * }
 * }</pre>
 * Thread-safe.
 */
public final class KafkaCluster implements AutoCloseable {
    /** Brokers a cluster has unless told otherwise: the smallest that survives one failure with min ISR 2. */
    public static final int DEFAULT_BROKERS = 3;

    private static final String FORMAT_MAIN = "kafka.tools.StorageTool";
    private static final String BROKER_MAIN = "kafka.Kafka";
    private static final Duration FORMAT_TIMEOUT = Duration.ofMinutes(2);

    private final Path dataDir;
    private final String classpath;
    private final List<String> jvmOptions;
    private final Map<String, String> extraProperties;
    private final boolean detached;
    private final Duration shutdownGrace;
    private final List<Broker> brokers;

    private KafkaCluster(Builder builder, List<Integer> clientPorts, List<Integer> controllerPorts) {
        this.dataDir = builder.dataDir;
        this.classpath = builder.classpath != null ? builder.classpath : JavaCommand.defaultClasspath();
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.extraProperties = Map.copyOf(builder.properties);
        this.detached = builder.detached;
        this.shutdownGrace = builder.shutdownGrace;
        List<Broker> list = new ArrayList<>();
        for (int i = 0; i < builder.brokers; i++) {
            int nodeId = i + 1;
            list.add(new Broker(nodeId, clientPorts.get(i), controllerPorts.get(i), dataDir.resolve("broker-" + nodeId)));
        }
        this.brokers = List.copyOf(list);
    }

    /** Starts describing a cluster that keeps its data under {@code dataDir}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Options of a {@link KafkaCluster}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private final Path dataDir;
        private int brokers = DEFAULT_BROKERS;
        private int firstClientPort;
        private int firstControllerPort;
        private String classpath;
        private List<String> jvmOptions = List.of("-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true");
        private final Map<String, String> properties = new LinkedHashMap<>();
        private boolean detached;
        private Duration shutdownGrace = Duration.ofSeconds(10);

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        }

        /** Number of brokers, each also a controller (a voter). Default {@value #DEFAULT_BROKERS}. */
        public Builder brokers(int brokers) {
            if (brokers < 1 || brokers > 9) {
                throw new IllegalArgumentException("brokers must be in 1..9, got " + brokers);
            }
            this.brokers = brokers;
            return this;
        }

        /**
         * Client (PLAINTEXT) ports: broker {@code i} (node id, from 1) listens on {@code first + i - 1}. 0 (the
         * default) picks free ports once; they stay the same across {@link #restart(int)}.
         */
        public Builder firstClientPort(int first) {
            this.firstClientPort = checkPort("firstClientPort", first);
            return this;
        }

        /** Controller (KRaft) ports, like {@link #firstClientPort(int)}. */
        public Builder firstControllerPort(int first) {
            this.firstControllerPort = checkPort("firstControllerPort", first);
            return this;
        }

        /** The brokers' classpath (kafka_2.13 and its dependencies, an SLF4J backend). Default: see {@link JavaCommand}. */
        public Builder classpath(String classpath) {
            if (classpath == null || classpath.isBlank()) {
                throw new IllegalArgumentException("classpath must not be blank, got '" + classpath + "'");
            }
            this.classpath = classpath;
            return this;
        }

        /** JVM options of every broker, replacing the default (512 MiB heap, G1). */
        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** A broker setting added to (or overriding) the generated {@code server.properties} of every broker. */
        public Builder brokerProperty(String key, String value) {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException("broker property needs a key and a value, got " + key + "=" + value);
            }
            properties.put(key, value);
            return this;
        }

        /** Run the brokers in their own session so they outlive this JVM (infra/local-cluster). Default false. */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /** How long {@link #close()} waits for a clean shutdown before SIGKILL. Default 10 s. */
        public Builder shutdownGrace(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must be >= 0, got " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /** A cluster that is not started yet: picks the ports that were left to pick. */
        public KafkaCluster build() {
            if (firstClientPort != 0 && firstControllerPort != 0
                    && firstClientPort < firstControllerPort + brokers && firstControllerPort < firstClientPort + brokers) {
                throw new IllegalArgumentException("client ports " + firstClientPort + ".. and controller ports "
                        + firstControllerPort + ".. overlap for " + brokers + " brokers");
            }
            try {
                List<Integer> picked = FreePorts.pick(2 * brokers);
                List<Integer> clientPorts = firstClientPort == 0 ? picked.subList(0, brokers)
                        : FreePorts.fromOrPick(firstClientPort, brokers);
                List<Integer> controllerPorts = firstControllerPort == 0 ? picked.subList(brokers, 2 * brokers)
                        : FreePorts.fromOrPick(firstControllerPort, brokers);
                return new KafkaCluster(this, clientPorts, controllerPorts);
            } catch (IOException e) {
                throw new UncheckedIOException("could not pick free ports on 127.0.0.1: " + e.getMessage(), e);
            }
        }

        private static int checkPort(String name, int port) {
            if (port < 0 || port > 65535 - 9) {
                throw new IllegalArgumentException(name + " must be 0 (pick) or a port in 1..65526, got " + port);
            }
            return port;
        }
    }

    /**
     * Formats the storage of every broker that has none yet (all with one cluster id, kept in {@code cluster.id}),
     * then starts every broker. Returns once the processes run; {@link #awaitReady(Duration)} waits for the cluster.
     * If anything fails, stops what it started and throws.
     */
    public synchronized void start() throws IOException, InterruptedException {
        if (brokers.stream().anyMatch(b -> b.process != null)) {
            throw new IllegalStateException("cluster in " + dataDir + " was started already");
        }
        try {
            String clusterId = clusterId();
            for (Broker broker : brokers) {
                writeConfig(broker);
            }
            format(clusterId);
            for (Broker broker : brokers) {
                launch(broker);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Waits until every broker is registered and unfenced and the metadata quorum has a leader.
     *
     * @throws IllegalStateException if a broker process died (with the end of its log) or the cluster is not ready
     *                               within {@code timeout}
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastProblem = "not asked yet";
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000"))) {
            while (System.nanoTime() < deadline) {
                checkAlive();
                try {
                    int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    int leader = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS).leaderId();
                    if (nodes == brokers.size() && leader >= 0) {
                        return;
                    }
                    lastProblem = nodes + " of " + brokers.size() + " brokers registered, quorum leader " + leader;
                } catch (ExecutionException | TimeoutException e) {
                    lastProblem = e.toString();
                }
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("Kafka cluster in " + dataDir + " not ready after " + timeout + " ("
                + lastProblem + "); see the broker logs " + logFiles());
    }

    /** Every broker's client address, comma-separated. */
    public String bootstrapServers() {
        return brokers.stream().map(b -> "127.0.0.1:" + b.clientPort).collect(Collectors.joining(","));
    }

    /** Node ids of the brokers: 1..N. */
    public List<Integer> nodeIds() {
        return brokers.stream().map(b -> b.nodeId).toList();
    }

    /** SIGKILLs broker {@code nodeId} (1..N) through its process handle and waits until it is gone. */
    public synchronized void kill(int nodeId) {
        Broker broker = broker(nodeId);
        if (broker.process == null) {
            throw new IllegalStateException("broker " + nodeId + " was never started");
        }
        broker.process.kill();
    }

    /** Starts broker {@code nodeId} again with the same ports and data. It must not be running. */
    public synchronized void restart(int nodeId) throws IOException {
        Broker broker = broker(nodeId);
        if (broker.process != null && broker.process.isAlive()) {
            throw new IllegalStateException("broker " + nodeId + " still runs (pid " + broker.process.pid()
                    + "): kill(" + nodeId + ") it first");
        }
        launch(broker);
    }

    /** Whether broker {@code nodeId}'s process runs. */
    public synchronized boolean isAlive(int nodeId) {
        Broker broker = broker(nodeId);
        return broker.process != null && broker.process.isAlive();
    }

    /** The brokers' current processes, in node id order (for pid files); empty before {@link #start()}. */
    public synchronized List<ChildProcess> processes() {
        return brokers.stream().filter(b -> b.process != null).map(b -> b.process).toList();
    }

    /** Where broker {@code nodeId} writes its log. */
    public Path logFile(int nodeId) {
        return broker(nodeId).dir.resolve("broker.log");
    }

    /**
     * Stops every broker that runs: SIGTERM to all at once, then SIGKILL to those still running after the shutdown
     * grace. The data stays.
     */
    @Override
    public synchronized void close() {
        List<ChildProcess> running = brokers.stream().map(b -> b.process)
                .filter(p -> p != null && p.isAlive()).toList();
        running.forEach(ChildProcess::terminate);
        for (ChildProcess process : running) {
            process.stop(shutdownGrace);
        }
    }

    private Broker broker(int nodeId) {
        if (nodeId < 1 || nodeId > brokers.size()) {
            throw new IllegalArgumentException("nodeId must be in 1.." + brokers.size() + ", got " + nodeId);
        }
        return brokers.get(nodeId - 1);
    }

    private String clusterId() throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    private void writeConfig(Broker broker) throws IOException {
        int replication = Math.min(3, brokers.size());
        int minIsr = replication >= 3 ? 2 : 1;
        String voters = brokers.stream().map(b -> b.nodeId + "@127.0.0.1:" + b.controllerPort)
                .collect(Collectors.joining(","));
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(broker.nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + broker.clientPort + ",CONTROLLER://127.0.0.1:"
                + broker.controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + broker.clientPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", broker.dir.resolve("data").toString());
        props.put("num.partitions", "1");
        props.put("default.replication.factor", Integer.toString(replication));
        props.put("min.insync.replicas", Integer.toString(minIsr));
        props.put("offsets.topic.replication.factor", Integer.toString(replication));
        props.put("offsets.topic.num.partitions", "8");
        props.put("transaction.state.log.replication.factor", Integer.toString(replication));
        props.put("transaction.state.log.min.isr", Integer.toString(minIsr));
        props.put("transaction.state.log.num.partitions", "8");
        props.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
        props.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
        props.put("auto.create.topics.enable", "false");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.putAll(extraProperties);
        Files.createDirectories(broker.dir);
        try (Writer out = Files.newBufferedWriter(broker.dir.resolve("server.properties"), StandardCharsets.UTF_8)) {
            props.store(out, "written by " + KafkaCluster.class.getName() + " at every start");
        }
        Files.writeString(broker.dir.resolve("log4j2.properties"), """
                # written by KafkaCluster: everything to standard output, which goes to broker.log
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = [%d] %p %m (%c)%n
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = out
                logger.state.name = state.change.logger
                logger.state.level = WARN
                """, StandardCharsets.UTF_8);
    }

    /** Formats, in parallel, the brokers whose storage has no meta.properties yet. */
    private void format(String clusterId) throws IOException, InterruptedException {
        List<ChildProcess> formatting = new ArrayList<>();
        try {
            for (Broker broker : brokers) {
                if (!Files.exists(broker.dir.resolve("data").resolve("meta.properties"))) {
                    formatting.add(ChildProcess.builder("kafka-" + broker.nodeId + "-format")
                            .command(JavaCommand.of(classpath, List.of("-Xmx256m"), FORMAT_MAIN, List.of(
                                    "format", "--cluster-id", clusterId,
                                    "--config", broker.dir.resolve("server.properties").toString(),
                                    "--ignore-formatted")))
                            .directory(broker.dir)
                            .logFile(broker.dir.resolve("broker.log"))
                            .start());
                }
            }
            for (ChildProcess process : formatting) {
                if (!process.waitFor(FORMAT_TIMEOUT)) {
                    throw new IOException(process.name() + " did not finish within " + FORMAT_TIMEOUT + "; see "
                            + process.logFile());
                }
                if (process.exitCode() != 0) {
                    throw new IOException(process.name() + " (" + FORMAT_MAIN + " format) exited with "
                            + process.exitCode() + "; is the classpath complete? end of " + process.logFile() + ":\n"
                            + process.logTail(20));
                }
            }
        } finally {
            formatting.forEach(ChildProcess::kill);
        }
    }

    private void launch(Broker broker) throws IOException {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dlog4j2.configurationFile=" + broker.dir.resolve("log4j2.properties"));
        broker.process = ChildProcess.builder("kafka-" + broker.nodeId)
                .command(JavaCommand.of(classpath, options, BROKER_MAIN,
                        List.of(broker.dir.resolve("server.properties").toString())))
                .directory(broker.dir)
                .logFile(broker.dir.resolve("broker.log"))
                .detached(detached)
                .start();
    }

    private void checkAlive() {
        for (Broker broker : brokers) {
            ChildProcess process = broker.process;
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("Kafka broker " + broker.nodeId + " exited with " + process.exitCode()
                        + " (port in use? data dir of another cluster?); end of " + process.logFile() + ":\n"
                        + process.logTail(30));
            }
        }
    }

    private List<Path> logFiles() {
        return brokers.stream().map(b -> b.dir.resolve("broker.log")).toList();
    }

    @Override
    public String toString() {
        return "KafkaCluster{" + bootstrapServers() + ", dir=" + dataDir + "}";
    }

    /** One broker's fixed identity; its process changes at each restart. */
    private static final class Broker {
        final int nodeId;
        final int clientPort;
        final int controllerPort;
        final Path dir;
        volatile ChildProcess process;

        Broker(int nodeId, int clientPort, int controllerPort, Path dir) {
            this.nodeId = nodeId;
            this.clientPort = clientPort;
            this.controllerPort = controllerPort;
            this.dir = dir;
        }
    }
}

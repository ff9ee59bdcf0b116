package io.streamrag.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Elasticsearch cluster of N nodes (default 3) as child processes on 127.0.0.1, each with its own HTTP and
 * transport port, data and logs, started from the Elasticsearch distribution zip (the integ-test distribution from
 * Maven Central: no security, no machine-learning modules).
 *
 * <p>Layout under its directory: {@code home/} (the unpacked distribution, shared read-only by the nodes, unless
 * {@link Builder#distributionDir} puts it elsewhere),
 * {@code node-<i>/config}, {@code node-<i>/data}, {@code node-<i>/logs}, {@code node-<i>/tmp} and
 * {@code node-<i>/node.log} (standard output). Elasticsearch refuses to run as root: when this JVM runs as root each
 * node runs as {@value #UNPRIVILEGED_USER} through {@code setpriv}, its node directory is handed to that user, and
 * the cluster directory must be reachable by it (every parent searchable by others). Each node runs on this JVM's
 * Java ({@code ES_JAVA_HOME}), which must be 17 or newer, with a small heap.
 *
 * <p>Each node is started by the distribution's launcher script, which starts the server JVM as its child:
 * {@link #kill(int)} SIGKILLs the server JVM and the launcher through their process handles, as a crash would;
 * {@link #close()} stops every node and then kills whatever process of theirs still runs. The creator owns the
 * cluster and closes it. Thread-safe.
 */
public final class ElasticsearchCluster implements AutoCloseable {
    public static final int DEFAULT_NODES = 3;
    /** The user nodes run as when this JVM runs as root. */
    public static final String UNPRIVILEGED_USER = "nobody";
    private static final String UNPRIVILEGED_GROUP = "nogroup";
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchCluster.class);

    private final Path dir;
    private final Path distribution;
    private final String clusterName;
    private final String heap;
    private final Path distributionDir;
    private final List<String> jvmOptions;
    private final List<Node> nodes;
    private final boolean asRoot;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    private ElasticsearchCluster(Builder builder, List<Integer> httpPorts, List<Integer> transportPorts) {
        this.dir = builder.dir;
        this.distribution = builder.distribution;
        this.clusterName = builder.clusterName;
        this.heap = builder.heap;
        this.distributionDir = builder.distributionDir != null ? builder.distributionDir : dir.resolve("home");
        this.jvmOptions = builder.jvmOptions;
        this.asRoot = "root".equals(System.getProperty("user.name"));
        List<Node> list = new ArrayList<>();
        for (int i = 0; i < builder.nodes; i++) {
            list.add(new Node(i + 1, httpPorts.get(i), transportPorts.get(i), dir.resolve("node-" + (i + 1))));
        }
        this.nodes = List.copyOf(list);
    }

    /**
     * Starts describing a cluster that keeps its files under {@code dir}, run from the distribution zip
     * {@code distribution} ({@code org.elasticsearch.distribution.integ-test-zip:elasticsearch:zip}).
     */
    public static Builder builder(Path dir, Path distribution) {
        return new Builder(dir, distribution);
    }

    /** Options of an {@link ElasticsearchCluster}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private final Path dir;
        private final Path distribution;
        private int nodes = DEFAULT_NODES;
        private String clusterName = "streamrag";
        private String heap = "512m";
        private Path distributionDir;
        private List<String> jvmOptions = List.of("-XX:TieredStopAtLevel=1");

        private Builder(Path dir, Path distribution) {
            this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
            this.distribution = Objects.requireNonNull(distribution, "distribution").toAbsolutePath();
        }

        /** Number of nodes, each master-eligible and a data node (default 3). */
        public Builder nodes(int nodes) {
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("nodes must be in 1..9, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** {@code cluster.name} (default streamrag). */
        public Builder clusterName(String clusterName) {
            if (clusterName == null || !clusterName.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new IllegalArgumentException("clusterName must match [a-z0-9][a-z0-9_-]*, got '"
                        + clusterName + "'");
            }
            this.clusterName = clusterName;
            return this;
        }

        /** Heap of each node, as {@code -Xmx} takes it (default 512m; the minimum heap is half of it). */
        public Builder heap(String heap) {
            if (heap == null || !heap.matches("\\d+[mg]")) {
                throw new IllegalArgumentException("heap must look like 512m or 1g, got '" + heap + "'");
            }
            this.heap = heap;
            return this;
        }

        /**
         * Where the distribution is unpacked, once, and shared read-only by every cluster given the same directory
         * (default {@code home/} in the cluster directory). Clusters of several tests share one to save the unpacking.
         */
        public Builder distributionDir(Path distributionDir) {
            this.distributionDir = Objects.requireNonNull(distributionDir, "distributionDir").toAbsolutePath();
            return this;
        }

        /**
         * JVM options of each node and of its launcher, besides the heap (default {@code -XX:TieredStopAtLevel=1}:
         * the quick compiler only, so that nodes start in about two thirds of the time, at some cost in
         * throughput; pass an empty list for a long-running cluster).
         */
        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(Objects.requireNonNull(jvmOptions, "jvmOptions"));
            return this;
        }

        /** A cluster that is not started yet, with free ports picked now and kept across node restarts. */
        public ElasticsearchCluster build() {
            if (!Files.isRegularFile(distribution)) {
                throw new IllegalArgumentException("no Elasticsearch distribution zip at " + distribution);
            }
            try {
                List<Integer> ports = FreePorts.pick(2 * nodes);
                return new ElasticsearchCluster(this, ports.subList(0, nodes), ports.subList(nodes, 2 * nodes));
            } catch (IOException e) {
                throw new UncheckedIOException("could not pick free ports on 127.0.0.1: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Unpacks the distribution (once), writes each node's configuration and starts every node. Returns once the
     * processes run; {@link #awaitReady(Duration)} waits for the cluster. If anything fails, stops what it started
     * and throws.
     */
    public synchronized void start() throws IOException {
        if (nodes.stream().anyMatch(n -> n.process != null)) {
            throw new IllegalStateException("cluster in " + dir + " was started already");
        }
        try {
            if (asRoot) {
                // the cluster directory is the cluster's own (a temporary directory is created private): open it
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
                requireReachableByOthers(dir.resolve("node-1"));
            }
            Path home = unpack();
            for (Node node : nodes) {
                prepare(node, home);
            }
            if (asRoot) {
                LOG.info("running as root: Elasticsearch nodes in {} run as user '{}' (setpriv)", dir,
                        UNPRIVILEGED_USER);
            }
            for (Node node : nodes) {
                launch(node);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Waits until every node has joined and the cluster is green.
     *
     * @throws IllegalStateException if a node process died (with the end of its log) or the cluster is not ready
     *                               within {@code timeout}
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        awaitHealth(nodes.size(), "green", timeout);
    }

    /**
     * Waits until {@code nodeCount} nodes are in the cluster and its health is {@code status} or better.
     *
     * @param status green or yellow
     */
    public void awaitHealth(int nodeCount, String status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastProblem = "not asked yet";
        while (System.nanoTime() < deadline) {
            checkAlive();
            for (Node node : runningNodes()) {
                try {
                    JsonNode health = get(node, "/_cluster/health?wait_for_nodes=" + nodeCount + "&wait_for_status="
                            + status + "&timeout=2s");
                    if (!health.path("timed_out").asBoolean(true)) {
                        return;
                    }
                    lastProblem = health.toString();
                } catch (IOException e) {
                    lastProblem = node.name() + ": " + e;
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Elasticsearch cluster in " + dir + " not " + status + " with " + nodeCount
                + " nodes after " + timeout + " (" + lastProblem + "); see the node logs " + logFiles());
    }

    /** Every node's HTTP address, {@code http://127.0.0.1:<port>}, comma-separated. */
    public String hosts() {
        return nodes.stream().map(n -> "http://127.0.0.1:" + n.httpPort).collect(Collectors.joining(","));
    }

    /** Node ids: 1..N. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(n -> n.id).toList();
    }

    /** The name of node {@code nodeId} ({@code es-<id>}), as the cluster knows it. */
    public String nodeName(int nodeId) {
        return node(nodeId).name();
    }

    /**
     * SIGKILLs node {@code nodeId} (1..N): its server JVM and its launcher, through their process handles, and
     * waits until they are gone.
     */
    public synchronized void kill(int nodeId) {
        Node node = node(nodeId);
        if (node.process == null) {
            throw new IllegalStateException("node " + nodeId + " was never started");
        }
        node.killed = true;
        List<ProcessHandle> tree = node.process.descendants();
        tree.forEach(ProcessHandle::destroyForcibly);
        node.process.kill();
        awaitGone(tree);
    }

    /** Starts node {@code nodeId} again with the same ports and data. It must not be running. */
    public synchronized void restart(int nodeId) throws IOException {
        Node node = node(nodeId);
        if (node.process != null && node.process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " still runs (pid " + node.process.pid()
                    + "): kill(" + nodeId + ") it first");
        }
        node.killed = false;
        launch(node);
    }

    /** Whether node {@code nodeId}'s process runs. */
    public synchronized boolean isAlive(int nodeId) {
        Node node = node(nodeId);
        return node.process != null && node.process.isAlive();
    }

    /** The nodes' current launcher processes, in node id order; empty before {@link #start()}. */
    public synchronized List<ChildProcess> processes() {
        return nodes.stream().filter(n -> n.process != null).map(n -> n.process).toList();
    }

    /** Where node {@code nodeId}'s standard output goes; its own logs are in {@code node-<id>/logs}. */
    public Path logFile(int nodeId) {
        return node(nodeId).dir.resolve("node.log");
    }

    /**
     * Stops every node that runs: SIGTERM to all at once (the launcher shuts its server down), then SIGKILL to
     * whatever process of theirs still runs after the grace. The data stays.
     */
    @Override
    public synchronized void close() {
        List<ChildProcess> running = nodes.stream().map(n -> n.process)
                .filter(p -> p != null && p.isAlive()).toList();
        List<ProcessHandle> servers = running.stream().flatMap(p -> p.descendants().stream()).toList();
        running.forEach(ChildProcess::terminate);
        for (ChildProcess process : running) {
            process.stop(SHUTDOWN_GRACE);
        }
        servers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        awaitGone(servers);
    }

    private Node node(int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("nodeId must be in 1.." + nodes.size() + ", got " + nodeId);
        }
        return nodes.get(nodeId - 1);
    }

    private synchronized List<Node> runningNodes() {
        return nodes.stream().filter(n -> n.process != null && n.process.isAlive()).toList();
    }

    private JsonNode get(Node node, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body());
    }

    /** Unpacks the zip into the distribution directory unless it holds it already; returns the distribution's root. */
    private Path unpack() throws IOException {
        Path home = distributionDir;
        if (!Files.exists(home.resolve(".unpacked"))) {
            // unpacked next to it, then renamed: a cluster that fails half-way never leaves half a distribution
            Files.createDirectories(home.getParent());
            Path partial = Files.createTempDirectory(home.getParent(), home.getFileName() + ".partial");
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(distribution))) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                    Path target = partial.resolve(entry.getName()).normalize();
                    if (!target.startsWith(partial)) {
                        throw new IOException("zip entry " + entry.getName() + " of " + distribution
                                + " points outside " + partial);
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(zip, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Files.writeString(partial.resolve(".unpacked"), distribution + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(partial, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
            try {
                Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.exists(home.resolve(".unpacked"))) {
                    throw e;
                }
                // another cluster unpacked it meanwhile
            }
        }
        Path root;
        try (Stream<Path> children = Files.list(home)) {
            root = children.filter(p -> Files.isExecutable(p.resolve("bin")) || Files.isDirectory(p.resolve("bin")))
                    .findFirst()
                    .orElseThrow(() -> new IOException("no bin/ directory in the distribution " + distribution));
        }
        if (asRoot) {
            requireReachableByOthers(root.resolve("bin"));
        }
        // zip entries lose their mode bits: the launcher scripts need theirs
        try (Stream<Path> bin = Files.list(root.resolve("bin"))) {
            for (Path script : bin.toList()) {
                Files.setPosixFilePermissions(script, EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
            }
        }
        return root;
    }

    private void prepare(Node node, Path home) throws IOException {
        node.home = home;
        Path config = node.dir.resolve("config");
        if (!Files.exists(config)) {
            copyTree(home.resolve("config"), config);
        }
        for (String sub : List.of("data", "logs", "tmp")) {
            Files.createDirectories(node.dir.resolve(sub));
        }
        String seeds = nodes.stream().map(n -> "\"127.0.0.1:" + n.transportPort + "\"")
                .collect(Collectors.joining(", "));
        String masters = nodes.stream().map(n -> "\"" + n.name() + "\"").collect(Collectors.joining(", "));
        Files.writeString(config.resolve("elasticsearch.yml"), """
                # written by ElasticsearchCluster at every start
                cluster.name: %s
                node.name: %s
                network.host: 127.0.0.1
                http.port: %d
                transport.port: %d
                discovery.seed_hosts: [%s]
                cluster.initial_master_nodes: [%s]
                path.data: %s
                path.logs: %s
                xpack.security.enabled: false
                # a test machine's disk may be fuller than production watermarks allow
                cluster.routing.allocation.disk.threshold_enabled: false
                # tests delete their indices by pattern
                action.destructive_requires_name: false
                """.formatted(clusterName, node.name(), node.httpPort, node.transportPort, seeds, masters,
                node.dir.resolve("data"), node.dir.resolve("logs")), StandardCharsets.UTF_8);
        if (asRoot) {
            chownTree(node.dir);
        }
    }

    private void launch(Node node) throws IOException {
        List<String> command = new ArrayList<>();
        if (asRoot) {
            if (!Files.isExecutable(SETPRIV)) {
                throw new IOException("Elasticsearch refuses to run as root and " + SETPRIV
                        + " (util-linux) is missing to run it as " + UNPRIVILEGED_USER);
            }
            command.addAll(List.of(SETPRIV.toString(), "--reuid=" + UNPRIVILEGED_USER,
                    "--regid=" + UNPRIVILEGED_GROUP, "--clear-groups"));
        }
        command.add(node.home.resolve("bin").resolve("elasticsearch").toString());
        node.process = ChildProcess.builder("elasticsearch-" + node.id)
                .command(command)
                .directory(node.dir)
                .logFile(node.dir.resolve("node.log"))
                .environment("ES_PATH_CONF", node.dir.resolve("config").toString())
                .environment("ES_TMPDIR", node.dir.resolve("tmp").toString())
                .environment("ES_JAVA_HOME", System.getProperty("java.home"))
                .environment("ES_JAVA_OPTS", String.join(" ", jvmOptions) + " -Xms" + halfOf(heap) + " -Xmx" + heap)
                .environment("CLI_JAVA_OPTS", String.join(" ", jvmOptions))
                .start();
        if (asRoot) {
            // the log file was created by this JVM, as root
            chown(node.dir.resolve("node.log"));
        }
    }

    private static String halfOf(String heap) {
        long megabytes = Long.parseLong(heap.substring(0, heap.length() - 1)) * (heap.endsWith("g") ? 1024 : 1);
        return Math.max(64, megabytes / 2) + "m";
    }

    private void checkAlive() {
        for (Node node : nodes) {
            ChildProcess process = node.process;
            if (process != null && !process.isAlive() && !node.killed) {
                throw new IllegalStateException("Elasticsearch node " + node.name() + " exited with "
                        + process.exitCode() + "; end of " + process.logFile() + ":\n" + process.logTail(30));
            }
        }
    }

    private List<Path> logFiles() {
        return nodes.stream().map(n -> n.dir.resolve("node.log")).toList();
    }

    private static void awaitGone(List<ProcessHandle> processes) {
        for (ProcessHandle process : processes) {
            try {
                process.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("process " + process.pid() + " still runs 30 s after SIGKILL", e);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : all.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The unprivileged user must reach the node directory: every parent must be searchable by others. */
    private static void requireReachableByOthers(Path path) throws IOException {
        Optional<Path> closed = firstClosedParent(path);
        if (closed.isPresent()) {
            throw new IOException("Elasticsearch runs as " + UNPRIVILEGED_USER + " and cannot reach " + path
                    + ": " + closed.get() + " is not searchable by others (chmod o+x, or put the cluster elsewhere)");
        }
    }

    /**
     * Whether a cluster under {@code dir} can run here: always when this JVM does not run as root; as root, when
     * {@code dir} and its parents are searchable by others, so that {@value #UNPRIVILEGED_USER} reaches the nodes'
     * files.
     */
    public static boolean canRunUnder(Path dir) throws IOException {
        return !"root".equals(System.getProperty("user.name")) || firstClosedParent(dir.resolve("x")).isEmpty();
    }

    private static Optional<Path> firstClosedParent(Path path) throws IOException {
        for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static void chownTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                chown(p);
            }
        }
    }

    private static void chown(Path path) throws IOException {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(UNPRIVILEGED_USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(UNPRIVILEGED_GROUP);
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    @Override
    public String toString() {
        return "ElasticsearchCluster{" + hosts() + ", dir=" + dir + "}";
    }

    private static final class Node {
        final int id;
        final int httpPort;
        final int transportPort;
        final Path dir;
        Path home;
        ChildProcess process;
        /** Set by {@link ElasticsearchCluster#kill}, cleared by a restart: a dead process is then no failure. */
        boolean killed;

        Node(int id, int httpPort, int transportPort, Path dir) {
            this.id = id;
            this.httpPort = httpPort;
            this.transportPort = transportPort;
            this.dir = dir;
        }

        String name() {
            return "es-" + id;
        }

    }
}

package io.streamrag.testkit;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code infra/local-cluster up} left running, on disk, so that {@code down} and {@code status} (other JVMs, or a
 * shell) find it: {@code <dir>/pids/<name>.pid} holds each child's pid, and {@code <dir>/cluster.properties} holds the
 * endpoints ({@code kafka.bootstrap}, {@code redis.url}, ...) and, per child, {@code process.<name>.pid},
 * {@code .started} (the OS start time in epoch milliseconds, which tells a live child from a reused pid),
 * {@code .log}, {@code .order} (start order; {@code down} stops in reverse), and {@code .command} and
 * {@code .directory} (so that {@code restart NAME} can start it again).
 *
 * <p>Every change is written at once, so a crash of {@code up} half-way still leaves what it started findable. Not
 * thread-safe.
 */
final class LocalClusterState {
    static final String FILE = "cluster.properties";
    /** Separates the arguments of a recorded command: the unit separator, 0x1f, which no argument holds. */
    private static final String ARG_SEPARATOR = "\u001f";

    private final Path dir;
    private final Properties properties = new Properties();

    private LocalClusterState(Path dir) {
        this.dir = dir;
    }

    /** Reads the state in {@code dir}; empty if there is none. */
    static LocalClusterState load(Path dir) throws IOException {
        LocalClusterState state = new LocalClusterState(dir.toAbsolutePath());
        Path file = state.file();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                state.properties.load(in);
            }
        }
        return state;
    }

    Path dir() {
        return dir;
    }

    /** Records a started child (pid file and properties) and saves. */
    void addProcess(ChildProcess process) throws IOException {
        String prefix = "process." + process.name() + ".";
        int order = processes().size();
        properties.setProperty(prefix + "pid", Long.toString(process.pid()));
        properties.setProperty(prefix + "started",
                Long.toString(process.startInstant().map(Instant::toEpochMilli).orElse(0L)));
        properties.setProperty(prefix + "log", process.logFile().toString());
        properties.setProperty(prefix + "order", properties.getProperty(prefix + "order", Integer.toString(order)));
        properties.setProperty(prefix + "command", String.join(ARG_SEPARATOR, process.command()));
        properties.setProperty(prefix + "directory", process.directory().toString());
        Files.createDirectories(dir.resolve("pids"));
        Files.writeString(pidFile(process.name()), process.pid() + "\n", StandardCharsets.UTF_8);
        save();
    }

    /** Records an endpoint ({@code kafka.bootstrap}, {@code redis.url}, ...) and saves. */
    void putEndpoint(String key, String value) throws IOException {
        properties.setProperty(key, value);
        save();
    }

    /** Endpoints, in key order. */
    Map<String, String> endpoints() {
        Map<String, String> endpoints = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().filter(k -> !k.startsWith("process.")).sorted()
                .forEach(k -> endpoints.put(k, properties.getProperty(k)));
        return endpoints;
    }

    /** The recorded children, in start order. */
    List<RecordedProcess> processes() {
        List<RecordedProcess> list = new ArrayList<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("process.") && key.endsWith(".pid")) {
                String name = key.substring("process.".length(), key.length() - ".pid".length());
                String prefix = "process." + name + ".";
                list.add(new RecordedProcess(name,
                        Long.parseLong(properties.getProperty(prefix + "pid")),
                        Long.parseLong(properties.getProperty(prefix + "started", "0")),
                        Path.of(properties.getProperty(prefix + "log", "")),
                        Integer.parseInt(properties.getProperty(prefix + "order", "0")),
                        List.of(properties.getProperty(prefix + "command", "").split(ARG_SEPARATOR)),
                        Path.of(properties.getProperty(prefix + "directory", ""))));
            }
        }
        list.sort((a, b) -> Integer.compare(a.order(), b.order()));
        return list;
    }

    /** Forgets every child and endpoint, and deletes the pid files; the data stay. */
    void clear() throws IOException {
        for (RecordedProcess process : processes()) {
            Files.deleteIfExists(pidFile(process.name()));
        }
        properties.clear();
        Files.deleteIfExists(file());
    }

    private Path pidFile(String name) {
        return dir.resolve("pids").resolve(name + ".pid");
    }

    private Path file() {
        return dir.resolve(FILE);
    }

    private void save() throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            properties.store(out, "infra/local-cluster: what runs, and where");
        }
        Files.move(tmp, file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** A child that {@code up} started, as recorded. */
    record RecordedProcess(String name, long pid, long startedMillis, Path logFile, int order, List<String> command,
            Path directory) {

        /** Starts the recorded command again, detached, with the same directory and log. */
        ChildProcess relaunch() throws IOException {
            return ChildProcess.builder(name).command(command).directory(directory).logFile(logFile).detached(true)
                    .start();
        }

        /** The live process, if the pid still names the very process that was started (not a reused pid). */
        Optional<ProcessHandle> handle() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> startedMillis == 0
                    || handle.info().startInstant()
                            .map(start -> Math.abs(start.toEpochMilli() - startedMillis) < 1000).orElse(true));
        }
    }
}

package io.streamrag.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One named OS process started by this JVM, with its standard output and error appended to a log file.
 *
 * <p>The object owns the {@link Process} handle: {@link #kill()} sends SIGKILL through it and {@link #close()}
 * stops it (SIGTERM, then SIGKILL after a grace period), so a test never has to look a process up by name. A
 * <em>detached</em> child runs in its own session ({@code setsid}), so that it outlives this JVM and a Ctrl-C in the
 * terminal that started it; that is what {@code infra/local-cluster} needs. A child that is not detached is also
 * SIGKILLed by a shutdown hook if this JVM exits (a test fork ended by a timeout) before its owner closed it; a
 * detached one is left running. Thread-safe.
 */
public final class ChildProcess implements AutoCloseable {
    /** How long {@link #close()} waits after SIGTERM before it sends SIGKILL. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final String name;
    private final Process process;
    private final List<String> command;
    private final Path directory;
    private final Path logFile;
    /** Kills a child that is not detached if this JVM exits first; null for a detached one. */
    private final Thread killAtExit;

    private ChildProcess(String name, Process process, List<String> command, Path directory, Path logFile,
            boolean detached) {
        this.name = name;
        this.process = process;
        this.command = command;
        this.directory = directory;
        this.logFile = logFile;
        if (detached) {
            this.killAtExit = null;
        } else {
            this.killAtExit = new Thread(process::destroyForcibly, "kill " + name + " at exit");
            Runtime.getRuntime().addShutdownHook(killAtExit);
            process.onExit().thenRun(this::forgetShutdownHook);
        }
    }

    /** Starts describing a child process called {@code name} (in messages and in the local cluster's pid files). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** What to run and where its output goes. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private List<String> command = List.of();
        private Path directory;
        private Path logFile;
        private boolean detached;
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, got '" + name + "'");
            }
            this.name = name;
        }

        /** The program and its arguments. Required. */
        public Builder command(List<String> command) {
            if (command == null || command.isEmpty()) {
                throw new IllegalArgumentException("command of " + name + " must not be empty, got " + command);
            }
            this.command = List.copyOf(command);
            return this;
        }

        /** The working directory, created if missing. Required. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Where standard output and error are appended (the file and its parents are created). Required. */
        public Builder logFile(Path logFile) {
            this.logFile = Objects.requireNonNull(logFile, "logFile").toAbsolutePath();
            return this;
        }

        /** Run it in a new session, so that it survives this JVM and the terminal's signals. Default false. */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /**
         * A variable added to this JVM's environment for the child. A process started again from its recorded
         * command ({@code infra/local-cluster restart}) does not get it: put what must survive on the command line.
         */
        public Builder environment(String variable, String value) {
            environment.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Starts the process, with empty standard input. */
        public ChildProcess start() throws IOException {
            if (command.isEmpty() || directory == null || logFile == null) {
                throw new IllegalStateException("command, directory and logFile of " + name + " are required, got "
                        + command + ", " + directory + ", " + logFile);
            }
            Files.createDirectories(directory);
            Files.createDirectories(logFile.getParent());
            List<String> argv = new ArrayList<>();
            if (detached && Files.isExecutable(SETSID)) {
                // setsid execs in place (a spawned child is no group leader), so the pid stays the command's own
                argv.add(SETSID.toString());
            }
            argv.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(directory.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            try {
                return new ChildProcess(name, builder.start(), command, directory, logFile, detached);
            } catch (IOException e) {
                throw new IOException("could not start " + name + " (" + String.join(" ", command)
                        + "): " + e.getMessage(), e);
            }
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** When the OS started it, if the OS tells (it does on Linux); with the pid it names the process for good. */
    public Optional<Instant> startInstant() {
        return process.toHandle().info().startInstant();
    }

    public Path logFile() {
        return logFile;
    }

    /** The program and its arguments, as given (without setsid): enough to start the same process again. */
    public List<String> command() {
        return command;
    }

    public Path directory() {
        return directory;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while the process runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * Waits up to {@code timeout} for the process to exit.
     *
     * @return whether it has exited
     */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends SIGKILL and waits until the process is gone: no shutdown hook, no flush, as in a machine crash. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /**
     * The processes this child started that run now (a launcher script's JVM, say), children first; empty once it
     * has exited, since the OS re-parents orphans. Owners that must stop such processes take them while it runs.
     */
    public List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    /** Sends SIGTERM and returns at once: several children can shut down together, then {@link #stop} each. */
    public void terminate() {
        process.destroy();
    }

    /** Sends SIGTERM, waits up to {@code grace} for a clean exit, then SIGKILL. Returns at once if it has exited. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        boolean exited;
        try {
            exited = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            kill();
        }
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String logTail(int lines) {
        return logTail(logFile, lines);
    }

    static String logTail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** {@link #stop(Duration)} with {@link #DEFAULT_GRACE}. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") is still alive " + timeout
                        + " after SIGKILL: is it stuck in the kernel (disk, NFS)?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " (pid " + pid() + ") to exit", e);
        }
    }

    private void forgetShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(killAtExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already: the hook runs and finds the process gone, which is harmless
        }
    }

    @Override
    public String toString() {
        return name + "{pid=" + pid() + (isAlive() ? ", alive" : ", exited " + exitCode()) + ", log=" + logFile + "}";
    }
}

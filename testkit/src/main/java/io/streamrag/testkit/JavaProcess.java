package io.streamrag.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Java main class run as a {@link ChildProcess}, with this JVM's classpath unless told otherwise and the waits a
 * test needs: for a line of output ({@link #awaitOutput}) and for a clean exit after SIGTERM ({@link #terminate}).
 * Used to run streamrag's processes separately on one machine.
 *
 * <p>The creator owns it; {@link #close()} kills it if it still runs. Not thread-safe.
 */
public final class JavaProcess implements AutoCloseable {
    private final String name;
    private final ChildProcess process;
    private final Path log;

    private JavaProcess(String name, ChildProcess process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts a process; build it with {@link #builder}. */
    public static Builder builder(String name, String mainClass) {
        return new Builder(name, mainClass);
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    /** Where its output goes. */
    public Path log() {
        return log;
    }

    /** What it has printed so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + log, e);
        }
    }

    /**
     * Waits until its output contains {@code text}.
     *
     * @throws IllegalStateException if it exits first or the timeout passes, with the end of its output
     */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + process.exitCode()
                        + " before printing '" + text + "'; its output ends with:\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print '" + text + "' within " + timeout
                        + "; its output ends with:\n" + tail());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Sends SIGTERM and waits for the process to exit.
     *
     * @return its exit status
     * @throws IllegalStateException if it did not exit within the timeout (it is killed then)
     */
    public int terminate(Duration timeout) throws InterruptedException {
        process.terminate();
        if (!process.waitFor(timeout)) {
            kill();
            throw new IllegalStateException(name + " did not exit within " + timeout + " of SIGTERM; killed it");
        }
        return process.exitCode();
    }

    /** Sends SIGKILL (a crash: no shutdown hook runs) and waits until it is gone. */
    public void kill() {
        process.kill();
    }

    /** The last lines of its output, for failure messages. */
    public String tail() {
        String out = output();
        return out.length() <= 4000 ? out : out.substring(out.length() - 4000);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", log " + log + "]";
    }

    /** Collects the command; not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String mainClass;
        private String classpath = System.getProperty("java.class.path");
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path log;

        private Builder(String name, String mainClass) {
            this.name = Objects.requireNonNull(name, "name");
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        }

        /** The classpath (default: this JVM's). */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** JVM options, e.g. {@code -Xmx512m}. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** The {@code --add-opens}/{@code --add-exports} options this JVM was started with (what Flink needs). */
        public Builder inheritOpens() {
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                    .forEach(jvmOptions::add);
            return this;
        }

        public Builder args(String... arguments) {
            args.addAll(List.of(arguments));
            return this;
        }

        /** A variable added to this process's environment. */
        public Builder env(String variable, String value) {
            env.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The log file (required); its directory is created. */
        public Builder log(Path log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        public JavaProcess start() throws IOException {
            if (log == null) {
                throw new IllegalStateException("log must be set for " + name);
            }
            ChildProcess.Builder child = ChildProcess.builder(name)
                    .command(JavaCommand.of(classpath, jvmOptions, mainClass, args))
                    .directory(log.toAbsolutePath().getParent())
                    .logFile(log);
            env.forEach(child::environment);
            return new JavaProcess(name, child.start(), log);
        }
    }
}

package io.streamrag.loadgen.query;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code streamrag dev} in a child JVM with the CLI's classpath (system property {@value #CLI_CLASSPATH}, which
 * {@code bin/bench-query} sets: loadgen does not depend on the CLI): the whole stack (broker, ingest job, query and
 * invalidation processors, Redis), its output in {@code stack.log} under its data directory. Stopped with SIGTERM
 * (the stack's own shutdown hook closes it). The creator owns it and closes it.
 */
final class DevStackProcess implements AutoCloseable {
    private static final String READY = "ready: Kafka bootstrap ";
    /** The system property holding the classpath of the {@code streamrag} command. */
    static final String CLI_CLASSPATH = "streamrag.cli.classpath";

    private final Process process;
    private final String bootstrapServers;

    private DevStackProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the stack and waits until it prints its ready line.
     *
     * @param jvmOptions options of the child JVM (heap, the opens Flink needs)
     * @param dataDir    the stack's data directory (a fresh one: the benchmark measures an empty cache)
     * @param env        variables added to this process's environment (the LLM's address)
     */
    static DevStackProcess start(List<String> jvmOptions, Path dataDir, Map<String, String> env)
            throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        String cliClasspath = System.getProperty(CLI_CLASSPATH);
        if (cliClasspath == null || cliClasspath.isBlank()) {
            throw new IllegalStateException("system property " + CLI_CLASSPATH + " is not set: run the benchmark "
                    + "with bin/bench-query, which sets it to the streamrag command's classpath");
        }
        command.add(cliClasspath);
        command.addAll(List.of("io.streamrag.cli.Streamrag", "dev", "--data-dir", dataDir.toString(),
                "--kafka-port", "0", "--gateway-port", "0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        Path log = dataDir.resolve("stack.log");
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread drain = new Thread(() -> drain(process, log, ready), "dev-stack-output");
        drain.setDaemon(true);
        drain.start();
        try {
            return new DevStackProcess(process, ready.get(4, TimeUnit.MINUTES));
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the dev stack did not start (see " + log + "): " + e.getMessage(), e);
        }
    }

    /** Copies the child's output to the log (always: a full pipe would stall the child) and spots the ready line. */
    private static void drain(Process process, Path log, CompletableFuture<String> ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = out.readLine()) != null) {
                file.println(line);
                if (!ready.isDone() && line.startsWith(READY)) {
                    ready.complete(line.substring(READY.length()).split("[, ]")[0]);
                }
            }
            ready.completeExceptionally(new IllegalStateException("the stack exited before it was ready"));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** CPU time the stack's JVM has used so far (all its threads), or -1 where the platform does not tell. */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** SIGTERM, up to a minute for a clean stop, then a kill. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            System.err.println("bench: the dev stack did not stop within 60 s; killing it");
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

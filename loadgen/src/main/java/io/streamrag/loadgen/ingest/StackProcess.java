package io.streamrag.loadgen.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running {@link IngestBenchStack} child JVM: started with this JVM's classpath, its stderr passed through, its
 * stdin held open (closing it stops the child). The creator owns it and closes it.
 */
final class StackProcess implements AutoCloseable {
    private final Process process;
    private final String bootstrapServers;

    private StackProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the child and waits until it prints its ready line.
     *
     * @param jvmOptions  options of the child JVM (heap, opens)
     * @param dataDir     the child's Kafka logs, index and Flink files
     * @param parallelism the Flink default parallelism
     * @param ingestFlags {@code IngestSettings} flags
     */
    static StackProcess start(List<String> jvmOptions, Path dataDir, int parallelism, List<String> ingestFlags)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IngestBenchStack.class.getName());
        command.add(dataDir.toString());
        command.add(Integer.toString(parallelism));
        command.addAll(ingestFlags);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(IngestBenchStack.READY)) {
                        return line.substring(IngestBenchStack.READY.length()).trim();
                    }
                }
                throw new IllegalStateException("the stack exited before it was ready (see its log above)");
            } catch (IOException e) {
                throw new IllegalStateException("reading the stack's output failed: " + e.getMessage(), e);
            }
        });
        try {
            return new StackProcess(process, ready.get(3, TimeUnit.MINUTES));
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the ingest stack did not start: " + e.getMessage(), e);
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The child's peak resident set size so far, in bytes ({@code VmHWM} in {@code /proc/PID/status}), if readable. */
    OptionalLong peakRssBytes() {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            System.err.println("bench: cannot read " + status + ": " + e);
            return OptionalLong.empty();
        }
    }

    /** Closes the child's stdin (it stops the job and the broker), waits up to a minute, then kills it. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            System.err.println("bench: closing the stack's stdin failed (" + e + "); killing it");
            process.destroy();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

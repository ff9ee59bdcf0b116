package io.streamrag.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.testkit.LocalClusterState.RecordedProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code infra/local-cluster} does, without the shell: up, status, a kill -9 of a broker by its pid, restart,
 * down. The processes are detached (they outlive the JVM that starts them), so teardown runs {@code down}, which stops
 * them by their recorded pids.
 */
class LocalClusterMainIT {
    @TempDir
    Path dir;
    /** What the last commands printed, or the message of the one that failed. */
    private String output = "";

    @Test
    void upStatusKillRestartDown() throws Exception {
        try {
            // the infrastructure only: the processors need the CLI's classpath (cli/…/LocalClusterIT runs them)
            assertThat(run("up", "--kafka-port", "0", "--redis-port", "0", "--flink-port", "0", "--task-managers", "1",
                    "--query-partitions", "2")).isZero();
            LocalClusterState state = LocalClusterState.load(dir);
            assertThat(state.processes()).extracting(RecordedProcess::name)
                    .containsExactly("kafka-1", "kafka-2", "kafka-3", "redis", "jobmanager", "taskmanager-0");
            assertThat(state.endpoints()).containsKeys("kafka.bootstrap", "redis.url", "flink.rest");
            assertThat(state.endpoints().get("kafka.bootstrap").split(",")).hasSize(3);
            assertThat(run("status")).isZero();
            assertThat(run("up", "--kafka-port", "0", "--redis-port", "0")).as("up twice").isEqualTo(-1);

            RecordedProcess broker = state.processes().get(1);
            ProcessHandle handle = ProcessHandle.of(broker.pid()).orElseThrow();
            assertThat(handle.destroyForcibly()).isTrue(); // kill -9
            handle.onExit().get(30, TimeUnit.SECONDS);
            assertThat(run("status")).isEqualTo(1);
            assertThat(output).contains("kafka-2").contains("NOT RUNNING");

            assertThat(run("restart", "kafka-2")).isZero();
            assertThat(run("status")).isZero();
            assertThat(LocalClusterState.load(dir).processes().get(1).pid()).isNotEqualTo(broker.pid());
        } finally {
            List<RecordedProcess> started = LocalClusterState.load(dir).processes();
            assertThat(run("down")).isZero();
            assertThat(started).allSatisfy(p -> assertThat(p.handle()).as(p.name()).isEmpty());
        }
        assertThat(LocalClusterState.load(dir).processes()).isEmpty();
        assertThat(run("status")).isEqualTo(1);
    }

    /** Runs one command against {@link #dir}; -1 when it threw (what main reports as exit code 1). */
    private int run(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.add("--dir");
        argv.add(dir.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            return new LocalClusterMain(LocalClusterOptions.parse(argv.toArray(String[]::new)), out).run();
        } catch (IllegalStateException e) {
            output = e.getMessage();
            return -1;
        } finally {
            output = output + bytes.toString(StandardCharsets.UTF_8);
            System.out.print(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}

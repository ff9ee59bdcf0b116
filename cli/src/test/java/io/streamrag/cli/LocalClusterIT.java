package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrag.testkit.LocalClusterMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster as a user runs it: {@code local-cluster up} (3 brokers, redis-server, a Flink session cluster,
 * the invalidation processor and 2 query processors, all detached processes on loopback), {@code streamrag deploy}
 * of the ingest job at parallelism 2, then {@code submit --wait} and {@code ask} against it, {@code status}, and
 * {@code down}, which must leave no process behind.
 */
class LocalClusterIT {
    private static final String COLLECTION = "local";

    @TempDir
    Path tmp;

    private Path dir;

    @AfterEach
    void down() {
        if (dir != null && Files.exists(dir.resolve("cluster.properties"))) {
            // stops every recorded process by its pid, even when the test failed half-way
            LocalClusterMain.execute(System.out, System.err, "down", "--dir", dir.toString());
        }
    }

    @Test
    void upDeploySubmitAskStatusDown() throws Exception {
        dir = tmp.resolve("cluster");
        Run up = cluster("up", "--dir", dir.toString(), "--kafka-port", "0", "--redis-port", "0", "--flink-port", "0",
                "--app-port", "0", "--query-partitions", "4", "--apps-classpath", System.getProperty("java.class.path"));
        assertThat(up.code()).as("up: %s%n%s", up.out(), up.err()).isZero();
        Properties endpoints = endpoints();
        String bootstrap = endpoints.getProperty("kafka.bootstrap");
        assertThat(bootstrap.split(",")).hasSize(3);
        List<Long> pids = pids();
        assertThat(pids).as("brokers, redis, JobManager, 2 TaskManagers, invalidation, 2 query processors")
                .hasSize(10);

        CliRun deployed = CliRun.of("deploy", "--bootstrap", bootstrap, "--flink", endpoints.getProperty("flink.rest"),
                "--parallelism", "2", "--index-dir", endpoints.getProperty("index.dir"),
                "--checkpoint-dir", endpoints.getProperty("checkpoint.dir"));
        assertThat(deployed.exitCode()).as("deploy: %s", deployed.err()).isZero();

        Path corpus = tmp.resolve("corpus.jsonl");
        Files.write(corpus, Corpus.jsonLines(Corpus.documents().subList(0, 6)));
        CliRun submit = CliRun.against(bootstrap, "submit", "--collection", COLLECTION, "--wait", corpus.toString());
        assertThat(submit.exitCode()).as(submit.err()).isZero();
        JsonNode answer = CliRun.against(bootstrap, "ask", "--collection", COLLECTION, "--json", "--top-k", "3",
                Corpus.ORCHID_QUESTION).answer();
        List<String> cited = new ArrayList<>();
        answer.get("citations").forEach(c -> cited.add(c.get("docId").asText()));
        assertThat(cited).first().isEqualTo(Corpus.ORCHID_V1.id());

        Run status = cluster("status", "--dir", dir.toString());
        assertThat(status.code()).as("status: %s", status.out()).isZero();
        assertThat(status.out()).contains("query-1").contains("query-2").contains("invalidation")
                .contains("taskmanager-1").contains("jobmanager");

        Run down = cluster("down", "--dir", dir.toString());
        assertThat(down.code()).as("down: %s%n%s", down.out(), down.err()).isZero();
        for (long pid : pids) {
            // this JVM started the processes, so it reaps them: a stopped one may still show until its reaper ran
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().completeOnTimeout(h, 10, java.util.concurrent.TimeUnit.SECONDS).join());
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("process %d after down", pid).isFalse();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cluster(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LocalClusterMain.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Properties endpoints() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("cluster.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    private List<Long> pids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (var files = Files.list(dir.resolve("pids"))) {
            for (Path file : files.toList()) {
                pids.add(Long.parseLong(Files.readString(file).trim()));
            }
        }
        return pids;
    }
}

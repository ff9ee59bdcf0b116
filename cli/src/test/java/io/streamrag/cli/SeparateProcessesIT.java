package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrag.ingest.IngestJob;
import io.streamrag.ingest.IngestSettings;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.FreePorts;
import io.streamrag.testkit.JavaProcess;
import io.streamrag.testkit.LocalRedis;
import io.streamrag.testkit.StackTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query processor and the invalidation processor as separate OS processes, started with
 * {@code streamrag query-processor --config FILE} and {@code streamrag invalidation} configured by environment
 * variables, against a Kafka broker, a Redis and an ingest job (Flink MiniCluster) in this JVM, sharing the Lucene
 * index directory: each reports ready over HTTP and logs what it connected to; a submitted document is cited by the
 * other process; an answer is served from the L1 cache, and after an update the invalidation process drops it, so
 * the next answer cites the new text; SIGTERM stops both cleanly.
 */
class SeparateProcessesIT {
    private static final String COLLECTION = "apart";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> parts = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        // reverse order of start; every part is stopped even if one fails to
        Exception first = null;
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Test
    void theProcessorsRunApartAndAnswerFreshFromTheSharedIndex() throws Exception {
        EmbeddedKafka kafka = own(EmbeddedKafka.start(tmp.resolve("kafka"), FreePorts.pick(), FreePorts.pick()));
        String bootstrap = kafka.bootstrapServers();
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps)) {
            StackTopics.createMissing(admin, StackTopics.all(4));
        }
        LocalRedis redis = own(LocalRedis.start(FreePorts.pick(), tmp.resolve("redis")));
        Path indexDir = tmp.resolve("index");
        startIngestJob(bootstrap, indexDir);

        int queryHealthPort = FreePorts.pick();
        Path queryConfig = Files.writeString(tmp.resolve("query.properties"), String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "index.dir=" + indexDir,
                "redis.url=" + redis.url(),
                "state.dir=" + tmp.resolve("query-state"),
                "num.stream.threads=2",
                "health.port=" + queryHealthPort,
                // a Kafka client property passed through to every client of the processor
                "kafka.client.dns.lookup=use_all_dns_ips"));
        JavaProcess query = own(cli("query-processor").args("query-processor", "--config", queryConfig.toString())
                .log(tmp.resolve("logs/query.log")).start());
        int invalidationHealthPort = FreePorts.pick();
        JavaProcess invalidation = own(cli("invalidation").args("invalidation")
                .env("STREAMRAG_BOOTSTRAP_SERVERS", bootstrap)
                .env("REDIS_URL", redis.url())
                .env("STREAMRAG_STATE_DIR", tmp.resolve("invalidation-state").toString())
                .env("STREAMRAG_HEALTH_PORT", Integer.toString(invalidationHealthPort))
                .log(tmp.resolve("logs/invalidation.log")).start());

        awaitReady(query, queryHealthPort);
        awaitReady(invalidation, invalidationHealthPort);
        assertThat(query.output()).as("the query processor's connection line")
                .contains("query processor streamrag-query connected: Kafka " + bootstrap)
                .contains("store " + indexDir.toAbsolutePath() + " (Lucene)");
        assertThat(invalidation.output()).as("the invalidation processor's connection line")
                .contains("invalidation processor streamrag-invalidation connected: Kafka " + bootstrap);

        Path corpus = tmp.resolve("corpus.jsonl");
        Files.write(corpus, Corpus.jsonLines(Corpus.documents().subList(0, 5)));
        CliRun submit = CliRun.against(bootstrap, "submit", "--collection", COLLECTION, "--wait", corpus.toString());
        assertThat(submit.exitCode()).as(submit.err()).isZero();

        JsonNode first = ask(bootstrap, Corpus.ORCHID_QUESTION);
        JsonNode again = ask(bootstrap, Corpus.ORCHID_QUESTION);
        assertThat(citedDocIds(first)).first().isEqualTo(Corpus.ORCHID_V1.id());
        assertThat(first.get("citations").get(0).get("text").asText()).contains(Corpus.ORCHID_V1_WORD);
        assertThat(again.get("cache").toString()).as("the repeated question is answered from L1").contains("L1");

        Path update = tmp.resolve("update.jsonl");
        Files.write(update, Corpus.jsonLines(List.of(Corpus.ORCHID_V2)));
        CliRun updated = CliRun.against(bootstrap, "submit", "--collection", COLLECTION, "--wait", update.toString());
        assertThat(updated.exitCode()).as(updated.err()).isZero();

        JsonNode fresh = ask(bootstrap, Corpus.ORCHID_QUESTION);
        assertThat(fresh.get("cache").toString()).as("the invalidation process dropped the cached answer")
                .doesNotContain("L1");
        assertThat(fresh.get("citations").get(0).get("text").asText()).contains(Corpus.ORCHID_V2_WORD);
        assertThat(fresh.get("answer").asText()).doesNotContain(Corpus.ORCHID_V1_WORD);

        query.terminate(Duration.ofSeconds(60));
        invalidation.terminate(Duration.ofSeconds(60));
        assertThat(query.output()).contains("The query processor stopped cleanly");
        assertThat(invalidation.output()).contains("The invalidation processor stopped cleanly");
    }

    private JavaProcess.Builder cli(String name) {
        return JavaProcess.builder(name, Streamrag.class.getName())
                .jvmOptions("-Xmx768m", "-Djava.io.tmpdir=" + tmp)
                .inheritOpens();
    }

    private void startIngestJob(String bootstrap, Path indexDir) throws Exception {
        IngestSettings settings = IngestSettings.builder()
                .bootstrapServers(bootstrap)
                .indexDir(indexDir)
                .checkpointDir(tmp.resolve("checkpoints"))
                .build();
        Configuration config = IngestJob.flinkConfiguration(settings);
        config.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        JobClient job = IngestJob.start(StreamExecutionEnvironment.createLocalEnvironment(config), settings);
        own(() -> {
            if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        });
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (job.getJobStatus().get(10, TimeUnit.SECONDS) != JobStatus.RUNNING) {
            assertThat(System.nanoTime()).as("the ingest job runs within %s", START_TIMEOUT).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void awaitReady(JavaProcess process, int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int status = -1;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                status = http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode();
                if (status == 200) {
                    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                            .build();
                    assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode())
                            .as("/health of %s", process).isEqualTo(200);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(process + " was not ready (last /ready status " + status + "); its output:\n"
                + process.tail());
    }

    private static JsonNode ask(String bootstrap, String question) {
        return CliRun.against(bootstrap, "ask", "--collection", COLLECTION, "--json", "--top-k", "3", question)
                .answer();
    }

    private static List<String> citedDocIds(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("citations").forEach(c -> ids.add(c.get("docId").asText()));
        return ids;
    }

    private <T extends AutoCloseable> T own(T part) {
        parts.add(part);
        return part;
    }

}

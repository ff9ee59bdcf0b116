package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.cli.deploy.FlinkRestClient;
import io.streamrag.cli.deploy.FlinkRestException;
import io.streamrag.cli.deploy.JobJar;
import io.streamrag.client.StreamragClient;
import io.streamrag.ingest.IngestJob;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.FlinkCluster;
import io.streamrag.testkit.StackTopics;
import io.streamrag.testkit.TestKafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest job jar on a real Flink standalone cluster (a JobManager and two TaskManagers as child JVMs, Flink's
 * jars only on their classpath) against a real broker: {@code streamrag deploy} uploads and runs it through the REST
 * API, {@code deploy --upgrade} stops it with a savepoint and starts the jar again from it, {@code deploy --status}
 * names the running job; every document version is announced exactly once to a {@code read_committed} reader across
 * the upgrade, and the version guard's state survives it. A second test submits the same jar with Flink's own
 * client ({@code CliFrontend run -d -m}) to a single TaskManager and upgrades it there (the new job's class loader
 * loads the jar's native libraries into the same JVM again).
 */
class FlinkDeployIT {
    private static final String COLLECTION = "deploy";
    private static final Duration ANNOUNCE_TIMEOUT = Duration.ofMinutes(6);
    private static final AvroCodec<IndexChange> CHANGES = AvroCodec.of(IndexChange.class);
    private static final Pattern JOB_ID = Pattern.compile("job ([0-9a-f]{32})");

    @TempDir
    Path tmp;

    private EmbeddedKafka kafka;
    private FlinkCluster cluster;
    private Process client;

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (client != null && client.isAlive()) {
                client.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            try {
                if (cluster != null) {
                    cluster.close();
                }
            } finally {
                if (kafka != null) {
                    kafka.close();
                }
            }
        }
    }

    @Test
    void deployUpgradeThroughASavepointAndStatusAnnounceEveryVersionExactlyOnce() throws Exception {
        startKafkaAndCluster(2);
        String bootstrap = kafka.bootstrapServers();
        List<String> jobFlags = List.of("--index-dir", tmp.resolve("index").toString(),
                "--checkpoint-dir", tmp.resolve("checkpoints").toString(), "--chunk-max-tokens", "64",
                "--embed-threads", "1");

        try (KafkaConsumer<byte[], byte[]> changes = TestKafkaClients.readCommittedConsumer(bootstrap,
                "flink-deploy-it", Topics.INDEX_CHANGES.name());
             StreamragClient documents = StreamragClient.connect(bootstrap, Duration.ofSeconds(10))) {
            CliRun deployed = deploy(bootstrap, List.of("--parallelism", "1"), jobFlags);
            assertThat(deployed.exitCode()).as("deploy: %s", deployed.err()).isZero();
            String firstJob = jobId(deployed.out());

            documents.send(List.of(
                    upsert("doc-a", 1, "Bees collect nectar from flowers."),
                    upsert("doc-b", 1, "The river floods every spring."),
                    upsert("doc-c", 1, "Owls hunt mice at night.")));
            Map<String, Integer> announced = new TreeMap<>();
            awaitAnnounced(changes, announced, Set.of("doc-a@1", "doc-b@1", "doc-c@1"));

            CliRun status = CliRun.of("deploy", "--status", "--flink", cluster.restUrl());
            assertThat(status.exitCode()).as("status: %s", status.err()).isZero();
            assertThat(status.out()).contains("job " + firstJob + " streamrag-ingest RUNNING")
                    .contains("restored from: nothing");

            List<String> upgradeArgs = new ArrayList<>(List.of("--upgrade", "--savepoint-dir",
                    tmp.resolve("savepoints").toString(), "--parallelism", "1"));
            CliRun upgraded = deploy(bootstrap, upgradeArgs, jobFlags);
            assertThat(upgraded.exitCode()).as("upgrade: %s", upgraded.err()).isZero();
            assertThat(upgraded.out()).contains("stopped job " + firstJob + " with savepoint");
            Matcher started = Pattern.compile("upgraded streamrag-ingest: job ([0-9a-f]{32})").matcher(upgraded.out());
            assertThat(started.find()).as("upgrade output names the new job: %s", upgraded.out()).isTrue();
            String secondJob = started.group(1);
            assertThat(secondJob).isNotEqualTo(firstJob);

            // an update, a new document, and a resend of an old version that only the restored guard state rejects
            documents.send(List.of(
                    upsert("doc-a", 2, "Bees collect nectar and pollen from flowers."),
                    upsert("doc-d", 1, "Glaciers carve deep valleys."),
                    upsert("doc-b", 1, "The river floods every spring.")));
            Set<String> expected = Set.of("doc-a@1", "doc-b@1", "doc-c@1", "doc-a@2", "doc-d@1");
            awaitAnnounced(changes, announced, expected);
            // a few more checkpoints' worth of reading, for announcements that would come twice
            pollFor(changes, announced, Duration.ofSeconds(5));

            assertThat(announced.keySet()).as("announced docId@version").containsExactlyInAnyOrderElementsOf(expected);
            assertThat(announced.entrySet()).as("announced more than once").filteredOn(e -> e.getValue() != 1)
                    .isEmpty();

            CliRun after = CliRun.of("deploy", "--status", "--flink", cluster.restUrl());
            assertThat(after.exitCode()).as("status: %s", after.err()).isZero();
            assertThat(after.out()).contains("job " + secondJob + " streamrag-ingest RUNNING")
                    .contains("restored from: " + savepointOf(upgraded.out()));
        }
    }

    @Test
    void theSameJarRunsWithFlinksOwnClient() throws Exception {
        startKafkaAndCluster(1);
        String bootstrap = kafka.bootstrapServers();
        Path jar = JobJar.locate();
        ProcessBuilder builder = new ProcessBuilder(cluster.clientCommand("run", "-d",
                "-m", "localhost:" + cluster.restPort(), jar.toString(),
                "--bootstrap", bootstrap, "--index-dir", tmp.resolve("index").toString(),
                "--chunk-max-tokens", "64", "--embed-threads", "1"))
                .redirectErrorStream(true)
                .redirectOutput(cluster.logDir().resolve("client.out").toFile());
        builder.environment().put("FLINK_CONF_DIR", cluster.confDir().toString());
        client = builder.start();
        assertThat(client.waitFor(5, TimeUnit.MINUTES)).as("flink run -d returned").isTrue();
        String output = Files.readString(cluster.logDir().resolve("client.out"));
        assertThat(client.exitValue()).as("flink run exit status; output:%n%s", output).isZero();
        assertThat(output).contains("Job has been submitted with JobID");

        try (KafkaConsumer<byte[], byte[]> changes = TestKafkaClients.readCommittedConsumer(bootstrap,
                "flink-run-it", Topics.INDEX_CHANGES.name());
             StreamragClient documents = StreamragClient.connect(bootstrap, Duration.ofSeconds(10))) {
            documents.send(List.of(upsert("doc-r", 1, "Copper conducts heat well.")));
            Map<String, Integer> announced = new TreeMap<>();
            awaitAnnounced(changes, announced, Set.of("doc-r@1"));
            CliRun status = CliRun.of("deploy", "--status", "--flink", cluster.restUrl());
            assertThat(status.out()).contains("streamrag-ingest RUNNING");

            // a REST run with a bad flag fails with the job's reason, and the JobManager (which ran main) lives on
            FlinkRestClient rest = new FlinkRestClient(cluster.restUrl(), Duration.ofSeconds(30));
            String jarId = rest.uploadJar(jar);
            assertThatThrownBy(() -> rest.runJar(jarId, new FlinkRestClient.JarRun(IngestJob.class.getName(),
                    List.of("--index-dir", tmp.resolve("other").toString(), "--shards", "zero"), Optional.empty(),
                    Optional.empty())))
                    .isInstanceOf(FlinkRestException.class)
                    .hasMessageContaining("streamrag-ingest: --shards must be a number, got 'zero'");

            // one TaskManager: the upgraded job loads the job jar's native libraries in the same JVM again
            CliRun upgraded = deploy(bootstrap, List.of("--upgrade", "--savepoint-dir",
                    tmp.resolve("savepoints").toString()), List.of("--index-dir", tmp.resolve("index").toString(),
                    "--chunk-max-tokens", "64", "--embed-threads", "1"));
            assertThat(upgraded.exitCode()).as("upgrade: %s", upgraded.err()).isZero();
            documents.send(List.of(upsert("doc-r", 2, "Copper conducts heat and electricity well.")));
            awaitAnnounced(changes, announced, Set.of("doc-r@1", "doc-r@2"));
            pollFor(changes, announced, Duration.ofSeconds(3));
            assertThat(announced).containsExactly(Map.entry("doc-r@1", 1), Map.entry("doc-r@2", 1));
        }
    }

    private void startKafkaAndCluster(int taskManagers) throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), TestKafkaClients.freePort(), TestKafkaClients.freePort());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            StackTopics.createMissing(admin, StackTopics.all(4));
        }
        cluster = FlinkCluster.builder().workDir(tmp.resolve("flink")).taskManagers(taskManagers)
                .slotsPerTaskManager(1).taskHeapMb(512).build();
    }

    private CliRun deploy(String bootstrap, List<String> options, List<String> jobFlags) {
        List<String> args = new ArrayList<>(List.of("deploy", "--bootstrap", bootstrap, "--flink", cluster.restUrl()));
        args.addAll(options);
        args.addAll(jobFlags);
        return CliRun.of(args.toArray(String[]::new));
    }

    private static String jobId(String output) {
        Matcher m = JOB_ID.matcher(output);
        assertThat(m.find()).as("a job id in: %s", output).isTrue();
        return m.group(1);
    }

    private static String savepointOf(String upgradeOutput) {
        Matcher m = Pattern.compile("with savepoint (\\S+)").matcher(upgradeOutput);
        assertThat(m.find()).as("a savepoint in: %s", upgradeOutput).isTrue();
        return m.group(1);
    }

    private static DocumentEvent upsert(String docId, long version, String text) {
        return DocumentEvents.upsert(COLLECTION, docId, version, docId, text, Map.of(), "flink-deploy-it");
    }

    /** Reads announcements into {@code announced} (docId@version → times seen) until all of {@code expected} came. */
    private void awaitAnnounced(KafkaConsumer<byte[], byte[]> changes, Map<String, Integer> announced,
                                Set<String> expected) {
        Instant deadline = Instant.now().plus(ANNOUNCE_TIMEOUT);
        while (!announced.keySet().containsAll(expected) && Instant.now().isBefore(deadline)) {
            read(changes, announced, Duration.ofMillis(500));
        }
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(announced.keySet());
        assertThat(missing).as("not announced within %s (Flink logs in %s)", ANNOUNCE_TIMEOUT, cluster.logDir())
                .isEmpty();
    }

    private static void pollFor(KafkaConsumer<byte[], byte[]> changes, Map<String, Integer> announced,
                                Duration duration) {
        Instant end = Instant.now().plus(duration);
        while (Instant.now().isBefore(end)) {
            read(changes, announced, Duration.ofMillis(250));
        }
    }

    private static void read(KafkaConsumer<byte[], byte[]> changes, Map<String, Integer> announced, Duration poll) {
        for (ConsumerRecord<byte[], byte[]> record : changes.poll(poll)) {
            IndexChange change = CHANGES.decode(record.value());
            if (COLLECTION.equals(change.getCollection())) {
                announced.merge(change.getDocId() + "@" + change.getVersion(), 1, Integer::sum);
            }
        }
    }
}

package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.ingest.LogFold;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.Citation;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import io.streamrag.testkit.FlinkCluster;
import io.streamrag.testkit.JavaProcess;
import io.streamrag.testkit.KafkaCluster;
import io.streamrag.testkit.RedisProcess;
import io.streamrag.testkit.StackTopics;
import io.streamrag.testkit.TestKafkaClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster under kill -9, with every part a separate OS process on loopback: 3 Kafka brokers (replication
 * 3, min.insync.replicas 2), a Flink session cluster (JobManager + 2 TaskManagers) running the ingest job deployed
 * with {@code streamrag deploy} at parallelism 2, redis-server, 2 query processors and the invalidation processor.
 * Under a steady mixed load (upserts, updates and deletes of documents; questions at a fixed rate) it SIGKILLs one
 * TaskManager, then one broker, then one query processor, restarting each, and then shows:
 * <ul>
 *   <li>the index equals an independent fold of the log ({@link LogFold});</li>
 *   <li>every document version is announced exactly once (read_committed);</li>
 *   <li>every question is answered exactly once;</li>
 *   <li>no answer is stale after its announcement: an answer to a question asked after the invalidation processor
 *       had applied the announcement of version v of a document never cites an older version of it.</li>
 * </ul>
 * It prints, per fault, how long until ingest and answers flowed again (not asserted: the machine is shared).
 */
class ClusterFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterFailoverIT.class);
    private static final String COLLECTION = "failover";
    private static final int DOCS = 24;
    private static final int CHUNK_MAX_TOKENS = 32;
    private static final int QUERY_PARTITIONS = 4;
    private static final Duration EVENT_EVERY = Duration.ofMillis(400);
    private static final Duration QUESTION_EVERY = Duration.ofMillis(500);
    private static final Duration WARM_UP = Duration.ofSeconds(20);
    private static final Duration FAULT_DOWN = Duration.ofSeconds(8);
    private static final Duration FAULT_SETTLE = Duration.ofSeconds(20);
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final String INVALIDATION_GROUP = "streamrag-invalidation";
    private static final Pattern CHUNK_VERSION = Pattern.compile("#\\d+@(\\d+)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroCodec<IndexChange> CHANGES = AvroCodec.of(IndexChange.class);
    private static final AvroCodec<QueryRequest> REQUESTS = AvroCodec.of(QueryRequest.class);
    private static final AvroCodec<QueryResponse> RESPONSES = AvroCodec.of(QueryResponse.class);
    private static final AvroCodec<DocumentEvent> EVENTS = AvroCodec.of(DocumentEvent.class);
    private static final List<String> SENTENCES = List.of(
            "Bees collect nectar from flowers.", "The river floods every spring.", "Owls hunt mice at night.",
            "Glaciers carve deep valleys.", "Copper conducts heat well.", "Tea leaves dry in the sun.",
            "Wolves live in packs.", "Comets have icy tails.", "Bread rises with yeast.",
            "Ships follow the lighthouse.", "Moss grows on north walls.", "Salmon swim upstream to spawn.");

    @TempDir
    Path tmp;

    private final List<AutoCloseable> parts = new ArrayList<>();

    /** An announcement as the test saw it, read_committed. */
    private record Seen(String docId, long version, int partition, long offset, long seenNanos) {
    }

    /** A question as sent: what the invalidation processor had applied at that moment, per document. */
    private record Asked(String requestId, long sentNanos, Map<String, Long> applied) {
    }

    /** One fault: what was killed and when. */
    private record Fault(String what, long killedNanos) {
    }

    @AfterEach
    void stopEverything() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.warn("could not stop a part of the cluster: {}", e.toString());
            }
        }
    }

    @Test
    void killedProcessesComeBackWithoutLosingDuplicatingOrServingStale() throws Exception {
        KafkaCluster kafka = own(KafkaCluster.builder(tmp.resolve("kafka")).brokers(3).build());
        kafka.start();
        kafka.awaitReady(START_TIMEOUT);
        String bootstrap = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            StackTopics.createMissing(admin, StackTopics.all(QUERY_PARTITIONS, (short) 3, 2));
        }
        RedisProcess redis = own(RedisProcess.builder(tmp.resolve("redis")).build());
        redis.start();
        FlinkCluster flink = own(FlinkCluster.builder().workDir(tmp.resolve("flink")).taskManagers(2)
                .slotsPerTaskManager(2).taskHeapMb(512).build());
        Path indexDir = tmp.resolve("index");
        CliRun deployed = CliRun.of("deploy", "--bootstrap", bootstrap, "--flink", flink.restUrl(),
                "--parallelism", "2", "--index-dir", indexDir.toString(),
                "--checkpoint-dir", tmp.resolve("checkpoints").toString(), "--checkpoint-interval-ms", "1000",
                "--chunk-max-tokens", Integer.toString(CHUNK_MAX_TOKENS), "--chunk-overlap-tokens", "0",
                "--embed-threads", "1");
        assertThat(deployed.exitCode()).as("deploy: %s", deployed.err()).isZero();

        List<JavaProcess> queryProcessors = new ArrayList<>();
        List<Integer> queryHealthPorts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int port = TestKafkaClients.freePort();
            queryHealthPorts.add(port);
            queryProcessors.add(own(queryProcessor(i, bootstrap, redis.url(), indexDir, port)));
        }
        int invalidationPort = TestKafkaClients.freePort();
        JavaProcess invalidation = own(streamrag("invalidation", "invalidation")
                .env("STREAMRAG_BOOTSTRAP_SERVERS", bootstrap)
                .env("STREAMRAG_REDIS_URL", redis.url())
                .env("STREAMRAG_STATE_DIR", tmp.resolve("state/invalidation").toString())
                .env("STREAMRAG_HEALTH_PORT", Integer.toString(invalidationPort))
                .log(tmp.resolve("logs/invalidation.log")).start());
        for (int i = 0; i < 2; i++) {
            awaitReady(queryProcessors.get(i), queryHealthPorts.get(i));
        }
        awaitReady(invalidation, invalidationPort);

        // what the test observes, from its own clients
        List<DocumentEvent> sentEvents = new CopyOnWriteArrayList<>();
        Map<String, Long> eventSentNanos = new ConcurrentHashMap<>();
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Map<TopicPartition, Long> invalidated = new ConcurrentHashMap<>();
        Map<String, Asked> asked = new ConcurrentHashMap<>();
        Map<String, List<QueryResponse>> answers = new ConcurrentHashMap<>();
        Map<String, Long> answeredNanos = new ConcurrentHashMap<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicBoolean observing = new AtomicBoolean(true);
        List<Throwable> failures = new CopyOnWriteArrayList<>();

        Thread announcements = thread("announcements", failures, () -> {
            try (KafkaConsumer<byte[], byte[]> changes = TestKafkaClients.readCommittedConsumer(bootstrap,
                    "failover-announcements", Topics.INDEX_CHANGES.name())) {
                while (observing.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : changes.poll(Duration.ofMillis(200))) {
                        IndexChange change = CHANGES.decode(r.value());
                        seen.add(new Seen(change.getDocId(), change.getVersion(), r.partition(), r.offset(),
                                System.nanoTime()));
                    }
                }
            }
        });
        Thread frontier = thread("invalidation-frontier", failures, () -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                while (observing.get()) {
                    try {
                        Map<TopicPartition, OffsetAndMetadata> committed = admin
                                .listConsumerGroupOffsets(INVALIDATION_GROUP).partitionsToOffsetAndMetadata()
                                .get(5, TimeUnit.SECONDS);
                        committed.forEach((tp, om) -> {
                            if (om != null && tp.topic().equals(Topics.INDEX_CHANGES.name())) {
                                invalidated.merge(tp, om.offset(), Math::max);
                            }
                        });
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        // a broker is down: the next round asks again
                    }
                    Thread.sleep(100);
                }
            }
        });
        Thread responses = thread("responses", failures, () -> {
            try (KafkaConsumer<byte[], byte[]> reader = TestKafkaClients.readCommittedConsumer(bootstrap,
                    "failover-responses", Topics.RESPONSES.name())) {
                while (observing.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                        QueryResponse response = RESPONSES.decode(r.value());
                        answers.computeIfAbsent(response.getRequestId(), k -> new CopyOnWriteArrayList<>())
                                .add(response);
                        answeredNanos.putIfAbsent(response.getRequestId(), System.nanoTime());
                    }
                }
            }
        });
        Random random = new Random(20261207);
        Thread load = thread("load", failures, () -> {
            Map<String, Long> versions = new HashMap<>();
            Map<String, Boolean> live = new HashMap<>();
            try (KafkaProducer<String, byte[]> producer = TestKafkaClients.producer(bootstrap)) {
                long nextEvent = System.nanoTime();
                long nextQuestion = System.nanoTime();
                while (loading.get()) {
                    long now = System.nanoTime();
                    if (now >= nextEvent) {
                        String docId = String.format(Locale.ROOT, "doc%02d", random.nextInt(DOCS));
                        long version = versions.merge(docId, 1L, Long::sum);
                        boolean delete = live.getOrDefault(docId, false) && random.nextDouble() < 0.15;
                        DocumentEvent event = delete
                                ? DocumentEvents.delete(COLLECTION, docId, version)
                                : DocumentEvents.upsert(COLLECTION, docId, version, docId, text(docId, random),
                                Map.of(), "failover-it");
                        live.put(docId, !delete);
                        eventSentNanos.put(docId + "@" + version, System.nanoTime());
                        sentEvents.add(event);
                        producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(),
                                Topics.documentKey(COLLECTION, docId), EVENTS.encode(event)));
                        nextEvent += EVENT_EVERY.toNanos();
                    }
                    if (now >= nextQuestion && !live.isEmpty()) {
                        String docId = String.format(Locale.ROOT, "doc%02d", random.nextInt(DOCS));
                        String requestId = UUID.randomUUID().toString();
                        asked.put(requestId, new Asked(requestId, System.nanoTime(), applied(seen, invalidated)));
                        QueryRequest request = QueryRequest.newBuilder().setRequestId(requestId)
                                .setCollection(COLLECTION).setText("What is said about " + docId + "?")
                                .setTopK(3).build();
                        producer.send(new ProducerRecord<>(Topics.QUERIES.name(), requestId,
                                REQUESTS.encode(request)));
                        nextQuestion += QUESTION_EVERY.toNanos();
                    }
                    Thread.sleep(20);
                }
                producer.flush();
            }
        });

        List<Fault> faults = new ArrayList<>();
        try {
            Thread.sleep(WARM_UP.toMillis());
            // one that runs tasks of the job: the scheduler may well have put all of them on the other one
            int taskManager = busyTaskManager(flink.restUrl());
            faults.add(new Fault("TaskManager " + taskManager, System.nanoTime()));
            flink.killTaskManager(taskManager);
            Thread.sleep(FAULT_DOWN.toMillis());
            flink.restartTaskManager(taskManager);
            Thread.sleep(FAULT_SETTLE.toMillis());

            int broker = kafka.nodeIds().get(1);
            faults.add(new Fault("Kafka broker " + broker, System.nanoTime()));
            kafka.kill(broker);
            Thread.sleep(FAULT_DOWN.toMillis());
            kafka.restart(broker);
            Thread.sleep(FAULT_SETTLE.toMillis());

            faults.add(new Fault("query processor 0", System.nanoTime()));
            queryProcessors.get(0).kill();
            Thread.sleep(FAULT_DOWN.toMillis());
            JavaProcess restarted = own(queryProcessor(0, bootstrap, redis.url(), indexDir, queryHealthPorts.get(0)));
            awaitReady(restarted, queryHealthPorts.get(0));
            Thread.sleep(FAULT_SETTLE.toMillis());
        } finally {
            loading.set(false);
            load.join(TimeUnit.MINUTES.toMillis(3));
        }

        // the TaskManager's kill restarted the job: deploy --status says so
        CliRun status = CliRun.of("deploy", "--status", "--flink", flink.restUrl());
        assertThat(status.exitCode()).as("deploy --status: %s", status.err()).isZero();
        Matcher recorded = Pattern.compile("failures recorded: (\\d+)").matcher(status.out());
        assertThat(recorded.find()).as("a failure count in: %s", status.out()).isTrue();
        assertThat(Long.parseLong(recorded.group(1))).as("failures after a TaskManager was killed: %s", status.out())
                .isPositive();

        // drain: every expected announcement and every answer
        Set<String> expectedAnnouncements = LogFold.announcements(sentEvents);
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && (!announcedKeys(seen).containsAll(expectedAnnouncements)
                || !answers.keySet().containsAll(asked.keySet()))) {
            assertThat(failures).as("observer failures").isEmpty();
            Thread.sleep(200);
        }
        Thread.sleep(5_000); // a few checkpoints more, for anything that would come twice
        observing.set(false);
        for (Thread t : List.of(announcements, frontier, responses)) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failures).as("observer failures").isEmpty();

        for (Fault fault : faults) {
            System.out.printf(Locale.ROOT, "ClusterFailoverIT: %-20s ingest flowing again after %5.1f s, answers after"
                            + " %5.1f s%n", fault.what(),
                    recovery(fault, eventSentNanos, announcedAt(seen)), recovery(fault, askedAt(asked), answeredNanos));
        }
        System.out.printf(Locale.ROOT, "ClusterFailoverIT: %d document events (%d versions announced), %d questions%n",
                sentEvents.size(), expectedAnnouncements.size(), asked.size());

        Map<String, Integer> announcedCounts = new TreeMap<>();
        seen.forEach(s -> announcedCounts.merge(s.docId() + "@" + s.version(), 1, Integer::sum));
        assertThat(announcedCounts.keySet()).as("announced docId@version")
                .containsExactlyInAnyOrderElementsOf(expectedAnnouncements);
        assertThat(announcedCounts.entrySet()).as("announced more than once").filteredOn(e -> e.getValue() != 1)
                .isEmpty();

        assertThat(answers.keySet()).as("questions answered").containsExactlyInAnyOrderElementsOf(asked.keySet());
        assertThat(answers.entrySet()).as("questions answered more than once")
                .filteredOn(e -> e.getValue().size() != 1).isEmpty();

        List<String> stale = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
        answers.forEach((requestId, list) -> {
            Map<String, Long> applied = asked.get(requestId).applied();
            for (Citation citation : list.get(0).getCitations()) {
                Matcher m = CHUNK_VERSION.matcher(citation.getChunkId());
                assertThat(m.find()).as("chunk id %s", citation.getChunkId()).isTrue();
                long version = Long.parseLong(m.group(1));
                Long newest = applied.get(citation.getDocId());
                if (newest != null) {
                    checked.incrementAndGet();
                }
                if (newest != null && version < newest) {
                    stale.add(requestId + " cited " + citation.getChunkId() + " after version " + newest
                            + " was announced and invalidated");
                }
            }
        });
        System.out.printf(Locale.ROOT, "ClusterFailoverIT: %d citations checked against an invalidated announcement%n",
                checked.get());
        assertThat(checked.get()).as("citations of documents with an invalidated announcement (else the staleness "
                + "check proves nothing)").isGreaterThan(asked.size() / 4);
        assertThat(stale).as("stale answers").isEmpty();

        Map<String, Set<String>> expected = LogFold.fold(COLLECTION, sentEvents, EmbeddingModel.DEFAULT,
                CHUNK_MAX_TOKENS);
        Map<String, Set<String>> indexed = LogFold.indexedChunkIds(indexDir.resolve(COLLECTION));
        assertThat(LogFold.difference(expected, indexed)).as("missing chunks (expected, not indexed)").isEmpty();
        assertThat(LogFold.difference(indexed, expected)).as("extra or stale chunks (indexed, not expected)")
                .isEmpty();
    }

    /**
     * The index of a TaskManager that runs a subtask of the ingest job, from Flink's REST API (the cluster names its
     * TaskManagers' resource ids {@code taskmanager-<i>}).
     */
    private static int busyTaskManager(String restUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        JsonNode jobs = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(restUrl + "/jobs/overview")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String jobId = null;
        for (JsonNode job : jobs.path("jobs")) {
            if ("RUNNING".equals(job.path("state").asText())) {
                jobId = job.path("jid").asText();
            }
        }
        assertThat(jobId).as("a running job on %s", restUrl).isNotNull();
        JsonNode job = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + jobId)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String vertex = job.path("vertices").get(0).path("id").asText();
        JsonNode hosts = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + jobId
                + "/vertices/" + vertex + "/taskmanagers")).build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode host : hosts.path("taskmanagers")) {
            Matcher m = Pattern.compile("taskmanager-(\\d+)").matcher(host.path("taskmanager-id").asText());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no TaskManager runs " + vertex + " of " + jobId + ": " + hosts);
    }

    /**
     * Per document, the newest version whose announcement the invalidation processor has committed past: no cache
     * may serve anything older for a question asked now.
     */
    private static Map<String, Long> applied(List<Seen> seen, Map<TopicPartition, Long> invalidated) {
        Map<String, Long> applied = new HashMap<>();
        for (Seen s : seen) {
            Long committed = invalidated.get(new TopicPartition(Topics.INDEX_CHANGES.name(), s.partition()));
            if (committed != null && s.offset() < committed) {
                applied.merge(s.docId(), s.version(), Math::max);
            }
        }
        return applied;
    }

    /**
     * Seconds from the fault until everything sent in the two seconds after it had come through: when the path
     * flowed again.
     */
    private static double recovery(Fault fault, Map<String, Long> sentNanos, Map<String, Long> doneNanos) {
        long windowEnd = fault.killedNanos() + Duration.ofSeconds(2).toNanos();
        long last = fault.killedNanos();
        for (Map.Entry<String, Long> sent : sentNanos.entrySet()) {
            if (sent.getValue() >= fault.killedNanos() && sent.getValue() < windowEnd) {
                Long done = doneNanos.get(sent.getKey());
                if (done == null) {
                    return Double.NaN;
                }
                last = Math.max(last, done);
            }
        }
        return (last - fault.killedNanos()) / 1e9;
    }

    private static Map<String, Long> announcedAt(List<Seen> seen) {
        Map<String, Long> at = new HashMap<>();
        seen.forEach(s -> at.putIfAbsent(s.docId() + "@" + s.version(), s.seenNanos()));
        return at;
    }

    private static Map<String, Long> askedAt(Map<String, Asked> asked) {
        Map<String, Long> at = new HashMap<>();
        asked.forEach((id, a) -> at.put(id, a.sentNanos()));
        return at;
    }

    private static Set<String> announcedKeys(List<Seen> seen) {
        Set<String> keys = new java.util.HashSet<>();
        seen.forEach(s -> keys.add(s.docId() + "@" + s.version()));
        return keys;
    }

    private static String text(String docId, Random random) {
        StringBuilder text = new StringBuilder("This note is about " + docId + ".");
        int sentences = 1 + random.nextInt(3);
        for (int i = 0; i < sentences; i++) {
            text.append(' ').append(SENTENCES.get(random.nextInt(SENTENCES.size())));
        }
        return text.toString();
    }

    private JavaProcess queryProcessor(int i, String bootstrap, String redisUrl, Path indexDir, int healthPort)
            throws IOException {
        return streamrag("query-processor-" + i, "query-processor")
                .env("STREAMRAG_BOOTSTRAP_SERVERS", bootstrap)
                .env("STREAMRAG_REDIS_URL", redisUrl)
                .env("STREAMRAG_INDEX_DIR", indexDir.toString())
                .env("STREAMRAG_STATE_DIR", tmp.resolve("state/query-" + i).toString())
                .env("STREAMRAG_NUM_STREAM_THREADS", "2")
                .env("STREAMRAG_SESSION_TIMEOUT_MS", "6000")
                .env("STREAMRAG_HEALTH_PORT", Integer.toString(healthPort))
                .log(tmp.resolve("logs/query-" + i + ".log")).start();
    }

    private JavaProcess.Builder streamrag(String name, String command) {
        return JavaProcess.builder(name, Streamrag.class.getName())
                .jvmOptions("-Xmx512m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp)
                .inheritOpens()
                .args(command);
    }

    private static void awaitReady(JavaProcess process, int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(process + " was not ready; its output:\n" + process.tail());
    }

    /** A daemon thread running {@code body}, recording what it throws. */
    private static Thread thread(String name, List<Throwable> failures, ThrowingRunnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failures.add(e);
                LOG.error("{} failed", name, e);
            }
        }, "failover-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private <T extends AutoCloseable> T own(T part) {
        parts.add(part);
        return part;
    }
}

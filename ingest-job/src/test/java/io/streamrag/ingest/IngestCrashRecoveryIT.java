package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.StackTopics;
import io.streamrag.testkit.TestKafkaClients;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariants 1 and 2 across a crash: the ingest job runs in a child JVM ({@link IngestJob#main}) against a real
 * broker, is killed with SIGKILL in the middle of a stream of 500+ events (updates that grow and shrink the
 * chunk count, deletes, duplicates, out-of-order and late older versions), is restarted from its last retained
 * checkpoint, and when it has caught up the Lucene index equals a fold of the produced log computed here
 * (no missing, extra or stale chunk), and every applied (docId, version) was announced exactly once to a
 * {@code read_committed} reader. Bad records in the stream are dead-lettered exactly once.
 */
class IngestCrashRecoveryIT {
    private static final String COLLECTION = "crash";
    private static final EmbeddingModel MODEL = EmbeddingModel.DEFAULT;
    private static final int CHUNK_MAX_TOKENS = 16;
    private static final int DOCS = 90;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(8);
    private static final AvroCodec<DocumentEvent> EVENTS = AvroCodec.of(DocumentEvent.class);
    private static final AvroCodec<IndexChange> CHANGES = AvroCodec.of(IndexChange.class);
    private static final AvroCodec<DeadLetter> DEAD_LETTERS = AvroCodec.of(DeadLetter.class);
    /** The docId of every bad record: one key, so all go to one partition and their offsets are distinct. */
    private static final String BAD_KEY = "bad-input";
    private static final List<String> SENTENCES = List.of(
            "Bees collect nectar from flowers.", "The river floods every spring.",
            "Owls hunt mice at night.", "Glaciers carve deep valleys.", "Copper conducts heat well.",
            "Tea leaves dry in the sun.", "Wolves live in packs.", "Comets have icy tails.",
            "Bread rises with yeast.", "Ships follow the lighthouse.", "Moss grows on north walls.",
            "Volcanoes release hot ash.", "Salmon swim upstream to spawn.", "Clocks measure passing time.",
            "Maple trees turn red in autumn.", "Deserts are cold at night.");

    @TempDir
    Path tmp;

    private EmbeddedKafka kafka;
    private Process child;

    /** One produced record, in send order: an event, or (when {@code badPayload} is set) bad input for the DLQ. */
    private record Sent(String docId, long version, DocumentOp op, String text, byte[] badPayload) {
        Sent(String docId, long version, DocumentOp op, String text) {
            this(docId, version, op, text, null);
        }

        boolean bad() {
            return badPayload != null;
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void afterAHardKillAndARestartFromTheLastCheckpointTheIndexIsTheFoldOfTheLog() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), freePort(), freePort());
        createTopics();
        List<Sent> log = corpus(new Random(20261129));
        assertThat(log).hasSizeGreaterThanOrEqualTo(500);
        assertThat(log).filteredOn(Sent::bad).isNotEmpty();
        Set<String> announcedExpected = LogFold.announcements(events(log));
        int firstPart = log.size() * 3 / 5;

        List<Long> badOffsets = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<byte[], byte[]> changes = readCommittedConsumer(Topics.INDEX_CHANGES.name());
             KafkaConsumer<byte[], byte[]> deadLetters = readCommittedConsumer(Topics.DOCUMENTS_DLQ.name())) {
            badOffsets.addAll(send(producer, log.subList(0, firstPart)));
            child = startJob("run-1");
            // kill once part of the stream is announced (and so checkpointed) but not all of it
            Map<String, Integer> announced = new TreeMap<>();
            int killAt = Math.max(1, LogFold.announcements(events(log.subList(0, firstPart))).size() / 3);
            awaitAnnounced(changes, announced, killAt, "run-1");
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            int announcedBeforeKill = announced.size();
            assertThat(announcedBeforeKill).as("the kill came before the end of the stream")
                    .isLessThan(announcedExpected.size());

            badOffsets.addAll(send(producer, log.subList(firstPart, log.size())));
            child = startJob("run-2");
            awaitAnnounced(changes, announced, announcedExpected.size(), "run-2");
            // a few more checkpoints' worth of reading, for announcements that would come twice
            pollFor(changes, announced, Duration.ofSeconds(4));
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);

            assertThat(announced.keySet()).as("announced (docId@version)")
                    .containsExactlyInAnyOrderElementsOf(announcedExpected);
            assertThat(announced.entrySet()).as("announcements published more than once")
                    .filteredOn(e -> e.getValue() != 1).isEmpty();

            // every bad record dead-lettered exactly once, despite the crash (offsets are unique per partition
            // here: all bad records go to the partition of their fixed key)
            Map<Long, Integer> deadLettered = new TreeMap<>();
            pollFor(deadLetters, Duration.ofSeconds(3), record -> deadLettered.merge(
                    DEAD_LETTERS.decode(record.value()).getSourceOffset(), 1, Integer::sum));
            assertThat(deadLettered.keySet()).as("dead-lettered source offsets")
                    .containsExactlyInAnyOrderElementsOf(badOffsets);
            assertThat(deadLettered.values()).as("dead letters per bad record").containsOnly(1);
        }

        Map<String, Set<String>> expected = LogFold.fold(COLLECTION, events(log), MODEL, CHUNK_MAX_TOKENS);
        Map<String, Set<String>> actual = LogFold.indexedChunkIds(tmp.resolve("index").resolve(COLLECTION));
        assertThat(LogFold.difference(expected, actual)).as("missing chunks (expected, not indexed)").isEmpty();
        assertThat(LogFold.difference(actual, expected)).as("extra or stale chunks (indexed, not expected)").isEmpty();
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    }

    /**
     * Events for {@link #DOCS} documents: each gets 4 to 6 increasing versions (upserts of 1 to 3 sentences,
     * so the chunk count grows and shrinks, and some deletes), interleaved at random; 10% of the sends are
     * followed by a duplicate, 10% swap two consecutive versions (the older then arrives late), and every
     * document that ends deleted gets a late resend of an older upsert (a resurrection attempt).
     */
    private static List<Sent> corpus(Random random) {
        Map<String, List<Sent>> byDoc = new LinkedHashMap<>();
        for (int d = 0; d < DOCS; d++) {
            String docId = String.format("doc-%03d", d);
            List<Sent> versions = new ArrayList<>();
            long version = 0;
            int ops = 4 + random.nextInt(3);
            for (int j = 0; j < ops; j++) {
                version += 1 + random.nextInt(2);
                boolean delete = j > 0 && random.nextDouble() < 0.2;
                versions.add(delete ? new Sent(docId, version, DocumentOp.DELETE, null)
                        : new Sent(docId, version, DocumentOp.UPSERT, text(random)));
            }
            byDoc.put(docId, versions);
        }
        List<Sent> log = new ArrayList<>();
        int bad = 0;
        Map<String, Integer> next = new HashMap<>();
        List<String> open = new ArrayList<>(byDoc.keySet());
        while (!open.isEmpty()) {
            String docId = open.get(random.nextInt(open.size()));
            List<Sent> versions = byDoc.get(docId);
            int i = next.getOrDefault(docId, 0);
            if (i + 1 < versions.size() && random.nextDouble() < 0.1) {
                log.add(versions.get(i + 1)); // newer first: the older one arrives out of order
                log.add(versions.get(i));
                i += 2;
            } else {
                log.add(versions.get(i));
                i += 1;
            }
            if (random.nextDouble() < 0.1) {
                log.add(log.get(log.size() - 1)); // a duplicate
            }
            if (random.nextDouble() < 0.03) {
                // bad input: undecodable bytes, or an upsert without text
                log.add(bad++ % 2 == 0
                        ? new Sent(BAD_KEY, 0, null, null, "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8))
                        : new Sent(BAD_KEY, 0, null, null, EVENTS.encode(event(new Sent(BAD_KEY, bad,
                                DocumentOp.UPSERT, " ")))));
            }
            next.put(docId, i);
            if (i >= versions.size()) {
                open.remove(docId);
                Sent last = versions.get(versions.size() - 1);
                if (last.op() == DocumentOp.DELETE) {
                    versions.stream().filter(v -> v.op() == DocumentOp.UPSERT).findFirst().ifPresent(log::add);
                }
            }
        }
        return log;
    }

    private static String text(Random random) {
        int sentences = 1 + random.nextInt(3);
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < sentences; i++) {
            picked.add(SENTENCES.get(random.nextInt(SENTENCES.size())));
        }
        return String.join(" ", picked);
    }

    /** The valid events of {@code log}, as sent. */
    private static List<DocumentEvent> events(List<Sent> log) {
        return log.stream().filter(s -> !s.bad()).map(IngestCrashRecoveryIT::event).toList();
    }

    private Process startJob(String name) throws IOException {
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-Djava.io.tmpdir=" + childTmp);
        // the --add-opens/--add-exports Flink needs, as the build gave them to this JVM (the pom's jvm.opens)
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IngestJob.class.getName(),
                "--bootstrap", kafka.bootstrapServers(),
                "--index-dir", tmp.resolve("index").toString(),
                "--checkpoint-dir", tmp.resolve("checkpoints").toString(),
                "--checkpoint-interval-ms", "500",
                "--group-id", "crash-test",
                "--transactional-id-prefix", "crash-test",
                "--model", MODEL.id(),
                "--chunk-max-tokens", String.valueOf(CHUNK_MAX_TOKENS),
                "--chunk-overlap-tokens", "0",
                "--embed-threads", "1"));
        File log = tmp.resolve(name + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Polls announcements into {@code announced} (docId@version → count) until it holds {@code count} keys. */
    private void awaitAnnounced(KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> announced, int count,
                                String run) throws IOException {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        while (announced.size() < count) {
            if (!child.isAlive()) {
                throw new AssertionError("the ingest job of " + run + " exited with " + child.exitValue()
                        + " after " + announced.size() + " of " + count + " announcements:\n" + tail(run));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(run + ": only " + announced.size() + " of " + count
                        + " announcements after " + CATCH_UP_TIMEOUT + ":\n" + tail(run));
            }
            poll(consumer, announced);
        }
    }

    private static void pollFor(KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> announced,
                                Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            poll(consumer, announced);
        }
    }

    private static void pollFor(KafkaConsumer<byte[], byte[]> consumer, Duration duration,
                                Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            consumer.poll(Duration.ofMillis(200)).forEach(handler);
        }
    }

    private static void poll(KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> announced) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            IndexChange change = CHANGES.decode(record.value());
            assertThat(change.getCollection()).isEqualTo(COLLECTION);
            announced.merge(change.getDocId() + "@" + change.getVersion(), 1, Integer::sum);
        }
    }

    private String tail(String run) throws IOException {
        List<String> lines = Files.readAllLines(tmp.resolve(run + ".log"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Sends the records in order; returns the offsets of the bad ones. */
    private static List<Long> send(KafkaProducer<String, byte[]> producer, List<Sent> records) throws Exception {
        List<Future<RecordMetadata>> bad = new ArrayList<>();
        for (Sent s : records) {
            byte[] value = s.bad() ? s.badPayload() : EVENTS.encode(event(s));
            Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(),
                    Topics.documentKey(COLLECTION, s.docId()), value));
            if (s.bad()) {
                bad.add(sent);
            }
        }
        producer.flush();
        List<Long> offsets = new ArrayList<>();
        for (Future<RecordMetadata> f : bad) {
            offsets.add(f.get(30, TimeUnit.SECONDS).offset());
        }
        return offsets;
    }

    private static DocumentEvent event(Sent s) {
        return DocumentEvent.newBuilder()
                .setCollection(COLLECTION)
                .setDocId(s.docId())
                .setVersion(s.version())
                .setOp(s.op())
                .setTitle(null)
                .setText(s.text())
                .setMetadata(Map.of())
                .setEventTime(Instant.now())
                .build();
    }

    private void createTopics() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            StackTopics.createMissing(admin, StackTopics.all(1));
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        return TestKafkaClients.producer(kafka.bootstrapServers());
    }

    private KafkaConsumer<byte[], byte[]> readCommittedConsumer(String topic) {
        return TestKafkaClients.readCommittedConsumer(kafka.bootstrapServers(), "crash-test-reader-" + topic, topic);
    }

    private static int freePort() {
        return TestKafkaClients.freePort();
    }
}

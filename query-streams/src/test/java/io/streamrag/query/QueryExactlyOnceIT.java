package io.streamrag.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.testkit.TestKafkaClients;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant 5 of the query pipeline, every query answered once, across a crash: two query processors share one
 * application id, one in this JVM ({@link QueryStreams#start}) and one in a child JVM ({@link QueryProcessorMain})
 * that is killed with SIGKILL after it has answered part of the stream. 1,000 requests, 30% of them faulty in one of
 * eight ways, must get exactly 1,000 responses on rag.responses as a {@code read_committed} reader sees them (one
 * per requestId, an error response exactly for the faulty ones) and exactly one dead letter per faulty request on
 * rag.queries.dlq; keyless garbage, which cannot be replied to, gets a dead letter only.
 */
class QueryExactlyOnceIT {

    private static final Logger LOG = LoggerFactory.getLogger(QueryExactlyOnceIT.class);

    private static final String APPLICATION_ID = "query-eos-test";
    private static final int PARTITIONS = 8;
    private static final int REQUESTS = 1_000;
    private static final int KEYLESS_GARBAGE = 5;
    private static final int MAX_QUESTION_CHARS = 200;
    private static final String COLLECTION = "eos";
    /** The degradation mode of an error response. */
    private static final String ERROR_MODE = "error";
    /** Requests sent before the kill; the rest are sent after it, so the survivor must take over to finish. */
    private static final int SENT_BEFORE_KILL = 600;
    /** Responses the child must be seen to give before it is killed. */
    private static final int CHILD_ANSWERS_BEFORE_KILL = 10;
    private static final Duration ALL_ANSWERED_TIMEOUT = Duration.ofMinutes(3);
    /** Reading on after the last expected record, for duplicates: many commit intervals. */
    private static final Duration LINGER = Duration.ofSeconds(5);
    private static final AvroCodec<QueryRequest> REQUESTS_CODEC = AvroCodec.of(QueryRequest.class);
    private static final AvroCodec<QueryResponse> RESPONSES_CODEC = AvroCodec.of(QueryResponse.class);
    private static final AvroCodec<DeadLetter> DEAD_LETTERS_CODEC = AvroCodec.of(DeadLetter.class);

    /** What a request is, and so what the processor must do with it. */
    private enum Kind {
        VALID(null),
        UNDECODABLE("decode"),
        EMPTY_QUESTION("validate"),
        OVERSIZED_QUESTION("validate"),
        PAST_DEADLINE("validate"),
        NO_COLLECTION("validate"),
        UNKNOWN_COLLECTION("query"),
        ENGINE_THROWS("query"),
        ENGINE_ERROR_MODE("query");

        /** The dead letter's stage, or null for a request that must be answered normally. */
        final String stage;

        Kind(String stage) {
            this.stage = stage;
        }

        boolean faulty() {
            return stage != null;
        }
    }

    /** One request as sent: its id (the record key), what it is, its question (for valid ones) and value. */
    private record Sent(String requestId, Kind kind, String question, byte[] value) {
    }

    @TempDir
    Path tmp;

    private EmbeddedKafka kafka;
    private Process child;
    private QueryStreams local;

    @AfterEach
    void stop() throws Exception {
        try {
            if (child != null && child.isAlive()) {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            if (local != null) {
                local.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
        assertThat(child == null || !child.isAlive()).as("the child processor is gone").isTrue();
    }

    @Test
    void everyRequestIsAnsweredExactlyOnceWhileOneOfTwoProcessorsIsKilled() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), freePort(), freePort());
        createTopics();
        List<Sent> requests = requests(new Random(20261129));
        Map<String, Sent> byId = new HashMap<>();
        requests.forEach(s -> byId.put(s.requestId(), s));
        assertThat(byId).hasSize(REQUESTS);
        for (Kind kind : Kind.values()) {
            assertThat(requests).as("requests of kind %s", kind).anyMatch(s -> s.kind() == kind);
        }

        Map<String, List<QueryResponse>> responses = new TreeMap<>();
        List<QueryResponse> allResponses = new ArrayList<>();
        Map<String, List<DeadLetter>> deadLetters = new TreeMap<>();
        List<DeadLetter> keylessDeadLetters = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<byte[], byte[]> responseReader = readCommittedConsumer(Topics.RESPONSES.name());
             KafkaConsumer<byte[], byte[]> deadLetterReader = readCommittedConsumer(Topics.QUERIES_DLQ.name())) {
            Consumer<ConsumerRecord<byte[], byte[]>> collectResponse = record -> {
                QueryResponse response = RESPONSES_CODEC.decode(record.value());
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).as("response key")
                        .isEqualTo(response.getRequestId());
                allResponses.add(response);
                responses.computeIfAbsent(response.getRequestId(), k -> new ArrayList<>()).add(response);
            };

            // The child first, so that it holds tasks when the second instance joins and the group rebalances.
            child = startChild();
            awaitChild(() -> childLog().contains(QueryProcessorMain.RUNNING_LINE), Duration.ofSeconds(90),
                    "the child processor to be RUNNING");
            local = QueryStreams.start(QueryProcessorMain.settings(kafka.bootstrapServers(), APPLICATION_ID,
                            tmp.resolve("state-local"), MAX_QUESTION_CHARS),
                    new ScriptedQueryEngine("local", QueryProcessorMain.ENGINE_PAUSE_MS));
            assertThat(local.awaitRunning(Duration.ofSeconds(90))).as("the local processor is RUNNING").isTrue();

            send(producer, requests.subList(0, SENT_BEFORE_KILL));
            awaitChild(() -> {
                poll(responseReader, collectResponse);
                return allResponses.stream().filter(r -> answeredBy(r, "child")).count()
                        >= CHILD_ANSWERS_BEFORE_KILL;
            }, Duration.ofSeconds(90), CHILD_ANSWERS_BEFORE_KILL + " answers from the child");
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            LOG.info("Killed the child processor when {} of {} sent requests were answered, {} by the child",
                    responses.size(), SENT_BEFORE_KILL,
                    allResponses.stream().filter(r -> answeredBy(r, "child")).count());

            send(producer, requests.subList(SENT_BEFORE_KILL, REQUESTS));
            sendKeylessGarbage(producer);
            long deadline = System.nanoTime() + ALL_ANSWERED_TIMEOUT.toNanos();
            while (responses.size() < REQUESTS && System.nanoTime() < deadline) {
                poll(responseReader, collectResponse);
            }
            assertThat(responses.size()).as("requestIds answered within %s (%d missing, e.g. %s)",
                    ALL_ANSWERED_TIMEOUT, REQUESTS - responses.size(), missing(byId, responses))
                    .isEqualTo(REQUESTS);
            pollFor(responseReader, LINGER, collectResponse);

            int expectedDeadLetters = (int) requests.stream().filter(s -> s.kind().faulty()).count()
                    + KEYLESS_GARBAGE;
            Consumer<ConsumerRecord<byte[], byte[]>> collectDeadLetter = record -> {
                DeadLetter letter = DEAD_LETTERS_CODEC.decode(record.value());
                if (record.key() == null) {
                    keylessDeadLetters.add(letter);
                } else {
                    deadLetters.computeIfAbsent(new String(record.key(), StandardCharsets.UTF_8),
                            k -> new ArrayList<>()).add(letter);
                }
            };
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (deadLetters.values().stream().mapToInt(List::size).sum() + keylessDeadLetters.size()
                    < expectedDeadLetters && System.nanoTime() < deadline) {
                poll(deadLetterReader, collectDeadLetter);
            }
            pollFor(deadLetterReader, LINGER, collectDeadLetter);
        }

        assertThat(responses.keySet()).as("answered requestIds")
                .containsExactlyInAnyOrderElementsOf(byId.keySet());
        assertThat(timesMoreThanOnce(responses)).as("requestIds answered more than once, with their counts")
                .isEmpty();
        assertThat(allResponses.size()).as("responses in total").isEqualTo(REQUESTS);
        assertThat(allResponses).as("answers from the child (killed) and from the survivor")
                .anyMatch(r -> answeredBy(r, "child")).anyMatch(r -> answeredBy(r, "local"));
        for (QueryResponse response : allResponses) {
            Sent sent = byId.get(response.getRequestId());
            if (sent.kind().faulty()) {
                assertThat(response.getDegradationMode()).as("mode of %s (%s)", sent.requestId(), sent.kind())
                        .isEqualTo(ERROR_MODE);
            } else {
                assertThat(response.getDegradationMode()).as("mode of %s (%s): %s", sent.requestId(), sent.kind(),
                        response.getError()).isEqualTo("normal");
                assertThat(response.getAnswer()).as("answer to %s", sent.requestId())
                        .isEqualTo(ScriptedQueryEngine.expectedAnswer(sent.question()));
                assertThat(response.getCollection()).isEqualTo(COLLECTION);
                assertThat(response.getCitations()).hasSize(1);
            }
        }

        Map<String, Kind> faulty = new TreeMap<>();
        requests.stream().filter(s -> s.kind().faulty()).forEach(s -> faulty.put(s.requestId(), s.kind()));
        assertThat(deadLetters.keySet()).as("dead-lettered requestIds")
                .containsExactlyInAnyOrderElementsOf(faulty.keySet());
        assertThat(timesMoreThanOnce(deadLetters)).as("requests dead-lettered more than once, with their counts")
                .isEmpty();
        deadLetters.forEach((requestId, letters) -> assertThat(letters.get(0).getStage())
                .as("stage of the dead letter of %s (%s)", requestId, faulty.get(requestId))
                .isEqualTo(faulty.get(requestId).stage));
        assertThat(keylessDeadLetters).as("dead letters of keyless garbage").hasSize(KEYLESS_GARBAGE)
                .allMatch(letter -> letter.getStage().equals("decode"));
    }

    /**
     * {@link #REQUESTS} requests in a seeded random order: 70% valid, the rest spread evenly over the faulty kinds.
     * Every one has a readable key, its requestId, so every one must be answered.
     */
    private static List<Sent> requests(Random random) {
        Kind[] faults = Arrays.stream(Kind.values()).filter(Kind::faulty).toArray(Kind[]::new);
        List<Sent> sent = new ArrayList<>(REQUESTS);
        int faultCount = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String requestId = String.format("req-%04d", i);
            Kind kind = i % 10 < 7 ? Kind.VALID : faults[faultCount++ % faults.length];
            sent.add(request(requestId, kind, random));
        }
        Collections.shuffle(sent, random);
        return sent;
    }

    private static Sent request(String requestId, Kind kind, Random random) {
        String question = "What is fact number " + random.nextInt(1_000_000) + "?";
        Instant inAnHour = Instant.now().plus(Duration.ofHours(1));
        QueryRequest.Builder b = QueryRequest.newBuilder()
                .setRequestId(requestId)
                .setCollection(COLLECTION)
                .setText(question)
                .setTopK(3)
                .setDeadline(random.nextBoolean() ? inAnHour : null);
        switch (kind) {
            case VALID -> {
            }
            case UNDECODABLE -> {
                byte[] value = switch (random.nextInt(3)) {
                    case 0 -> ("{\"requestId\": \"" + requestId + "\"}").getBytes(StandardCharsets.UTF_8);
                    case 1 -> {
                        byte[] whole = REQUESTS_CODEC.encode(b.build());
                        yield Arrays.copyOf(whole, whole.length - 3); // truncated body
                    }
                    default -> new byte[0];
                };
                return new Sent(requestId, kind, null, value);
            }
            case EMPTY_QUESTION -> b.setText(random.nextBoolean() ? "" : "   ");
            case OVERSIZED_QUESTION -> b.setText("x".repeat(MAX_QUESTION_CHARS + 1 + random.nextInt(100)));
            case PAST_DEADLINE -> b.setDeadline(Instant.now().minus(Duration.ofMinutes(1 + random.nextInt(60))));
            case NO_COLLECTION -> b.setCollection(random.nextBoolean() ? "" : " ");
            case UNKNOWN_COLLECTION -> b.setCollection(ScriptedQueryEngine.UNKNOWN_COLLECTION);
            case ENGINE_THROWS -> b.setText(ScriptedQueryEngine.THROW_MARKER + " " + question);
            case ENGINE_ERROR_MODE -> b.setText(ScriptedQueryEngine.ERROR_MODE_MARKER + " " + question);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }
        QueryRequest request = b.build();
        return new Sent(requestId, kind, request.getText(), REQUESTS_CODEC.encode(request));
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<Sent> requests) {
        for (Sent s : requests) {
            producer.send(new ProducerRecord<>(Topics.QUERIES.name(), s.requestId(), s.value()));
        }
        producer.flush();
    }

    /** Records that cannot be replied to: no key and a value that is not a request. */
    private static void sendKeylessGarbage(KafkaProducer<String, byte[]> producer) {
        for (int i = 0; i < KEYLESS_GARBAGE; i++) {
            producer.send(new ProducerRecord<>(Topics.QUERIES.name(), null,
                    ("garbage " + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
    }

    private static boolean answeredBy(QueryResponse response, String instance) {
        return response.getCitations().stream()
                .anyMatch(c -> c.getText().equals(ScriptedQueryEngine.ANSWERED_BY + instance));
    }

    /** The keys that map to more than one record, with the count. */
    private static Map<String, Integer> timesMoreThanOnce(Map<String, ? extends List<?>> records) {
        Map<String, Integer> counts = new TreeMap<>();
        records.forEach((key, list) -> {
            if (list.size() != 1) {
                counts.put(key, list.size());
            }
        });
        return counts;
    }

    private static List<String> missing(Map<String, Sent> byId, Map<String, List<QueryResponse>> responses) {
        return byId.keySet().stream().filter(id -> !responses.containsKey(id)).sorted().limit(10).toList();
    }

    private Process startChild() throws IOException {
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Djava.io.tmpdir=" + childTmp);
        // the pom's jvm.opens, as the build gave them to this JVM
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), QueryProcessorMain.class.getName(),
                kafka.bootstrapServers(), APPLICATION_ID, tmp.resolve("state-child").toString(),
                String.valueOf(MAX_QUESTION_CHARS), "child"));
        File log = tmp.resolve("child.log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Waits for {@code condition} while the child lives; fails with the child's log otherwise. */
    private void awaitChild(BooleanSupplier condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!child.isAlive()) {
                throw new AssertionError("the child processor exited with " + child.exitValue()
                        + " while waiting for " + what + ":\n" + childLogTail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " after " + timeout + ":\n" + childLogTail());
            }
            Thread.sleep(50);
        }
    }

    private String childLog() {
        try {
            return Files.readString(tmp.resolve("child.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String childLogTail() {
        List<String> lines = childLog().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static void pollFor(KafkaConsumer<byte[], byte[]> consumer, Duration duration,
                                Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            poll(consumer, handler);
        }
    }

    private static void poll(KafkaConsumer<byte[], byte[]> consumer,
                             Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        consumer.poll(Duration.ofMillis(100)).forEach(handler);
    }

    private void createTopics() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(
                    new NewTopic(Topics.QUERIES.name(), PARTITIONS, (short) 1),
                    new NewTopic(Topics.RESPONSES.name(), PARTITIONS, (short) 1),
                    new NewTopic(Topics.QUERIES_DLQ.name(), 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        return TestKafkaClients.producer(kafka.bootstrapServers());
    }

    private KafkaConsumer<byte[], byte[]> readCommittedConsumer(String topic) {
        return TestKafkaClients.readCommittedConsumer(kafka.bootstrapServers(), "query-eos-reader-" + topic, topic);
    }

    private static int freePort() {
        return TestKafkaClients.freePort();
    }
}

package io.streamrag.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.CollectionNames;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryTopologyTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final int MAX_CHARS = 100;
    private static final int DEFAULT_TOP_K = 7;

    @TempDir
    Path stateDir;

    /** The queries the engine saw, in order; the engine runs on the test thread. */
    private final List<Query> seen = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean engineFails = new AtomicBoolean();
    private final AvroCodec<QueryRequest> requests = AvroCodec.of(QueryRequest.class);

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> queries;
    private TestOutputTopic<String, QueryResponse> responses;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private QueryStreamsSettings settings;

    /** Echoes the question and cites one chunk per filter entry, so a test can tell what reached it. */
    private final QueryEngine engine = query -> {
        seen.add(query);
        if (engineFails.get()) {
            throw new IllegalStateException("vector store unreachable");
        }
        return new QueryResult(
                new Answer("answer to " + query.text() + " [1]",
                        List.of(new Citation(1, "doc-1", query.collection() + "/doc-1#0@1", 0.87, "chunk text"),
                                new Citation(2, "doc-2", query.collection() + "/doc-2#3@4", 0.5, "other text"))),
                "no_rerank",
                Map.of("retrieve", 3L, "total", 9L));
    };

    @BeforeEach
    void startDriver() {
        settings = QueryStreamsSettings.builder()
                .bootstrapServers("unused:9092")
                .stateDir(stateDir)
                .maxQuestionChars(MAX_CHARS)
                .defaultTopK(DEFAULT_TOP_K)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
        useEngine(engine);
    }

    /** (Re)starts the driver around {@code queryEngine}. */
    private void useEngine(QueryEngine queryEngine) {
        if (driver != null) {
            driver.close();
        }
        driver = new TopologyTestDriver(QueryTopology.build(settings, queryEngine), settings.toStreamsProperties());
        queries = driver.createInputTopic(settings.queriesTopic(),
                new ByteArraySerializer(), new ByteArraySerializer());
        responses = driver.createOutputTopic(settings.responsesTopic(),
                Topics.RESPONSES.keySerde().deserializer(), Topics.RESPONSES.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(settings.deadLetterTopic(),
                Topics.QUERIES_DLQ.keySerde().deserializer(), Topics.QUERIES_DLQ.valueSerde().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void answersARequestWithTheEnginesAnswerCitationsModeAndTimings() {
        queries.pipeInput("r-1".getBytes(StandardCharsets.UTF_8),
                requests.encode(request("r-1").setFilters(Map.of("lang", "en")).setTopK(3).build()),
                NOW.minusMillis(250));

        List<KeyValue<String, QueryResponse>> out = responses.readKeyValuesToList();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).key).isEqualTo("r-1");
        QueryResponse response = out.get(0).value;
        assertThat(response.getRequestId()).isEqualTo("r-1");
        assertThat(response.getCollection()).isEqualTo("docs");
        assertThat(response.getAnswer()).isEqualTo("answer to what is kafka? [1]");
        assertThat(response.getDegradationMode()).isEqualTo("no_rerank");
        assertThat(response.getError()).isNull();
        // the engine's stages, plus the time the request waited before processing (record timestamp to the clock)
        assertThat(response.getTimingsMs())
                .containsExactlyInAnyOrderEntriesOf(Map.of("retrieve", 3L, "total", 9L, "queue", 250L));
        assertThat(response.getCitations()).hasSize(2);
        io.streamrag.schemas.Citation first = response.getCitations().get(0);
        assertThat(first.getNumber()).isEqualTo(1);
        assertThat(first.getDocId()).isEqualTo("doc-1");
        assertThat(first.getChunkId()).isEqualTo("docs/doc-1#0@1");
        assertThat(first.getScore()).isEqualTo(0.87);
        assertThat(first.getText()).isEqualTo("chunk text");
        assertThat(response.getCitations().get(1).getNumber()).isEqualTo(2);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void passesCollectionTextFiltersAndTopKToTheEngine() {
        send(request("r-1").setCollection("legal").setText("who signs?")
                .setFilters(Map.of("year", "2024", "lang", "de")).setTopK(12).build());

        assertThat(seen).containsExactly(new Query("legal", "who signs?", Map.of("year", "2024", "lang", "de"), 12));
    }

    @Test
    void appliesTheDefaultTopKWhenTheRequestAsksForNoneOrANegativeNumber() {
        send(request("zero").setTopK(0).build());
        send(request("negative").setTopK(-3).build());

        assertThat(seen).extracting(Query::topK).containsExactly(DEFAULT_TOP_K, DEFAULT_TOP_K);
        assertThat(responses.readValuesToList()).extracting(QueryResponse::getDegradationMode)
                .containsExactly("no_rerank", "no_rerank");
    }

    @Test
    void garbageWithAKeyGetsOneErrorResponseForThatKeyAndADeadLetter() {
        byte[] garbage = {0x13, 0x37, 0x00, (byte) 0xff, 0x42};
        queries.pipeInput("r-garbage".getBytes(StandardCharsets.UTF_8), garbage);

        List<KeyValue<String, QueryResponse>> out = responses.readKeyValuesToList();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).key).isEqualTo("r-garbage");
        assertError(out.get(0).value, "r-garbage", "could not be decoded");
        assertThat(seen).isEmpty();

        List<KeyValue<String, DeadLetter>> letters = deadLetters.readKeyValuesToList();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).key).isEqualTo("r-garbage");
        DeadLetter letter = letters.get(0).value;
        assertThat(letter.getStage()).isEqualTo("decode");
        assertThat(letter.getSourceTopic()).isEqualTo(settings.queriesTopic());
        assertThat(letter.getSourceOffset()).isEqualTo(0L);
        assertThat(bytes(letter.getPayload())).isEqualTo(garbage);
        assertThat(bytes(letter.getKey())).isEqualTo("r-garbage".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.getTime()).isEqualTo(NOW);
    }

    @Test
    void garbageWithoutAKeyGetsNoResponseAndTheNextRequestIsStillAnswered() {
        queries.pipeInput(null, new byte[] {1, 2, 3, 4, 5, 6, 7});
        queries.pipeInput((byte[]) null, (byte[]) null);
        queries.pipeInput(new byte[] {(byte) 0xc3, 0x28}, new byte[] {9, 9}); // a key that is not UTF-8
        send(request("r-next").build());

        List<KeyValue<String, QueryResponse>> out = responses.readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.key).containsExactly("r-next");
        assertThat(out.get(0).value.getError()).isNull();
        assertThat(deadLetters.readValuesToList()).extracting(DeadLetter::getStage)
                .containsExactly("decode", "decode", "decode");
    }

    @Test
    void takesTheRequestIdFromTheKeyWhenTheValueHasNone() {
        queries.pipeInput("from-key".getBytes(StandardCharsets.UTF_8), requests.encode(request("  ").build()));

        List<KeyValue<String, QueryResponse>> out = responses.readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.key).containsExactly("from-key");
        assertThat(out.get(0).value.getRequestId()).isEqualTo("from-key");
    }

    @Test
    void requestWithNeitherRequestIdNorKeyIsOnlyDeadLettered() {
        byte[] payload = requests.encode(request("").build());
        queries.pipeInput((byte[]) null, payload);
        send(request("r-next").build());

        assertThat(responses.readValuesToList()).extracting(QueryResponse::getRequestId).containsExactly("r-next");
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).getStage()).isEqualTo("validate");
        assertThat(letters.get(0).getError()).contains("no requestId");
        assertThat(bytes(letters.get(0).getPayload())).isEqualTo(payload);
    }

    @Test
    void emptyQuestionGetsAnErrorResponse() {
        send(request("r-empty").setText("").build());
        send(request("r-blank").setText(" \n\t ").build());

        List<QueryResponse> out = responses.readValuesToList();
        assertThat(out).hasSize(2);
        assertError(out.get(0), "r-empty", "question is empty");
        assertError(out.get(1), "r-blank", "question is empty");
        assertThat(seen).isEmpty();
        assertThat(deadLetters.readValuesToList()).extracting(DeadLetter::getStage)
                .containsExactly("validate", "validate");
    }

    @Test
    void questionLongerThanTheLimitGetsAnErrorResponseAndOneAtTheLimitIsAnswered() {
        send(request("r-long").setText("x".repeat(MAX_CHARS + 1)).build());
        send(request("r-limit").setText("y".repeat(MAX_CHARS)).build());

        List<QueryResponse> out = responses.readValuesToList();
        assertThat(out).hasSize(2);
        assertError(out.get(0), "r-long", "more than the limit of " + MAX_CHARS);
        assertThat(out.get(1).getRequestId()).isEqualTo("r-limit");
        assertThat(out.get(1).getError()).isNull();
        assertThat(seen).extracting(Query::text).containsExactly("y".repeat(MAX_CHARS));
    }

    @Test
    void missingOrImpossibleCollectionGetsAnErrorResponse() {
        send(request("r-nocoll").setCollection(" ").build());
        send(request("r-slash").setCollection("a/b").build());
        send(request("r-space").setCollection("My Docs!").build());

        List<QueryResponse> out = responses.readValuesToList();
        assertThat(out).hasSize(3);
        assertError(out.get(0), "r-nocoll", "invalid collection name ' '");
        assertError(out.get(1), "r-slash", "invalid collection name 'a/b'");
        assertThat(out.get(1).getCollection()).isEqualTo("a/b");
        assertError(out.get(2), "r-space", CollectionNames.RULE);
        assertThat(seen).isEmpty();
    }

    @Test
    void deadlineInThePastOrNowGetsAnErrorResponseAndAFutureOneIsAnswered() {
        send(request("r-past").setDeadline(NOW.minusSeconds(1)).build());
        send(request("r-now").setDeadline(NOW).build());
        send(request("r-future").setDeadline(NOW.plus(Duration.ofSeconds(5))).build());

        List<QueryResponse> out = responses.readValuesToList();
        assertThat(out).extracting(QueryResponse::getRequestId).containsExactly("r-past", "r-now", "r-future");
        assertError(out.get(0), "r-past", "deadline");
        assertError(out.get(1), "r-now", "deadline");
        assertThat(out.get(2).getError()).isNull();
        assertThat(seen).hasSize(1);
    }

    @Test
    void engineFailureGetsAnErrorResponseWithTheExceptionsMessage() {
        engineFails.set(true);
        send(request("r-fail").build());
        engineFails.set(false);
        send(request("r-ok").build());

        List<QueryResponse> out = responses.readValuesToList();
        assertThat(out).extracting(QueryResponse::getRequestId).containsExactly("r-fail", "r-ok");
        assertError(out.get(0), "r-fail", "vector store unreachable");
        assertThat(out.get(0).getError()).isEqualTo("vector store unreachable");
        assertThat(out.get(1).getError()).isNull();
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).getStage()).isEqualTo("query");
        assertThat(letters.get(0).getError()).contains("IllegalStateException", "vector store unreachable");
    }

    @Test
    void engineAnsweringInErrorModeIsPassedOnAndDeadLettered() {
        QueryEngine failing = query -> new QueryResult(new Answer("all retrieval failed", List.of()), "error",
                Map.of("total", 1L));
        useEngine(failing);

        send(request("r-err").build());

        List<QueryResponse> out = responses.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getDegradationMode()).isEqualTo("error");
        assertThat(out.get(0).getAnswer()).isEqualTo("all retrieval failed");
        assertThat(deadLetters.readValuesToList()).extracting(DeadLetter::getStage).containsExactly("query");
    }

    @Test
    void engineReturningNothingGetsAnErrorResponse() {
        useEngine(query -> null);

        send(request("r-null").build());

        List<QueryResponse> out = responses.readValuesToList();
        assertThat(out).hasSize(1);
        assertError(out.get(0), "r-null", "no result");
    }

    @Test
    void everyOneOfManyRequestsGetsExactlyOneResponse() {
        int n = 60;
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String id = "r-" + i;
            expected.add(id);
            switch (i % 4) {
                case 0 -> send(request(id).build());
                case 1 -> send(request(id).setText("").build());
                case 2 -> queries.pipeInput(id.getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i});
                default -> {
                    engineFails.set(true);
                    send(request(id).build());
                    engineFails.set(false);
                }
            }
        }

        List<KeyValue<String, QueryResponse>> out = responses.readKeyValuesToList();
        assertThat(out).hasSize(n);
        assertThat(out).extracting(kv -> kv.key).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(out).allSatisfy(kv -> assertThat(kv.value.getRequestId()).isEqualTo(kv.key));
        assertThat(out).filteredOn(kv -> kv.value.getError() == null).hasSize(n / 4);
    }

    @Test
    void namesEveryNode() {
        TopologyDescription description = QueryTopology.build(settings, engine).describe();
        Set<String> names = new HashSet<>();
        description.subtopologies().forEach(s -> s.nodes().forEach(node -> names.add(node.name())));

        assertThat(names).contains(QueryTopology.SOURCE, QueryTopology.ANSWER, QueryTopology.RESPONSES_SINK,
                QueryTopology.DEAD_LETTERS_SINK);
        assertThat(names).noneMatch(name -> name.startsWith("KSTREAM-"));
        assertThat(description.subtopologies()).hasSize(1);
        assertThat(description.globalStores()).isEmpty();
    }

    private static QueryRequest.Builder request(String requestId) {
        return QueryRequest.newBuilder()
                .setRequestId(requestId)
                .setCollection("docs")
                .setText("what is kafka?")
                .setFilters(Map.of())
                .setTopK(5)
                .setOptions(Map.of())
                .setDeadline(null);
    }

    private void send(QueryRequest request) {
        queries.pipeInput(request.getRequestId().getBytes(StandardCharsets.UTF_8), requests.encode(request));
    }

    private static void assertError(QueryResponse response, String requestId, String why) {
        assertThat(response.getRequestId()).isEqualTo(requestId);
        assertThat(response.getDegradationMode()).isEqualTo("error");
        assertThat(response.getError()).contains(why);
        assertThat(response.getAnswer()).startsWith("The request could not be answered").contains(why);
        assertThat(response.getCitations()).isEmpty();
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}

package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import io.streamrag.client.DocumentRejectedException;
import io.streamrag.client.IndexChangeWatcher;
import io.streamrag.client.StreamragClient;
import io.streamrag.core.CollectionNames;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEvents;
import io.streamrag.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with real components, driven through the command line as a user would: a Kafka broker
 * (KRaft), the ingest job on a Flink MiniCluster, the query processor on Kafka Streams, Lucene shards and the
 * ONNX model. Submit, ask, update, ask, delete, ask; a JSON document from kcat; a dead-lettered document reported
 * to the waiting client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {
    private static final String COLLECTION = "e2e";

    @TempDir
    static Path tempDir;

    private DevStack stack;

    @BeforeAll
    void startStack() throws Exception {
        stack = DevStack.start(new DevSettings(tempDir.resolve("data"), 0, 0));
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void submittedDocumentsAreSearchableAndTheRightOneIsCited() throws Exception {
        Path corpus = tempDir.resolve("corpus.jsonl");
        Files.write(corpus, Corpus.jsonLines(Corpus.documents()));

        CliRun submit = cli("submit", "--collection", COLLECTION, "--wait", corpus.toString());

        assertThat(submit.exitCode()).as(submit.err()).isZero();
        assertThat(submit.out()).contains("submitted 20 documents").contains("searchable after");
        for (Corpus.Probe probe : Corpus.probes()) {
            JsonNode answer = ask(probe.question());
            assertThat(citedDocIds(answer)).as("question: %s, answer: %s", probe.question(), answer)
                    .first().isEqualTo(probe.docId());
            assertThat(answer.get("degradationMode").asText()).isEqualTo("normal");
        }
    }

    @Test
    @Order(2)
    void anUpdateReplacesTheOldVersionInAnswers() throws Exception {
        Path update = tempDir.resolve("update.jsonl");
        Files.write(update, Corpus.jsonLines(List.of(Corpus.ORCHID_V2)));

        CliRun submit = cli("submit", "--collection", COLLECTION, "--wait", update.toString());

        assertThat(submit.exitCode()).as(submit.err()).isZero();
        JsonNode answer = ask(Corpus.ORCHID_QUESTION);
        assertThat(citedDocIds(answer)).first().isEqualTo(Corpus.ORCHID_V2.id());
        assertThat(answer.get("answer").asText()).contains(Corpus.ORCHID_V2_WORD);
        assertThat(answer.get("citations").get(0).get("text").asText()).contains(Corpus.ORCHID_V2_WORD);
        for (JsonNode citation : answer.get("citations")) {
            assertThat(citation.get("text").asText()).doesNotContain(Corpus.ORCHID_V1_WORD);
            assertThat(citation.get("chunkId").asText()).doesNotEndWith("@1");
        }
        assertThat(answer.get("answer").asText()).doesNotContain(Corpus.ORCHID_V1_WORD);
    }

    @Test
    @Order(3)
    void aDeletedDocumentIsNeverCitedAgain() throws Exception {
        CliRun delete = cli("delete", "--collection", COLLECTION, "--wait", Corpus.ORCHID_V2.id());

        assertThat(delete.exitCode()).as(delete.err()).isZero();
        for (String question : List.of(Corpus.ORCHID_QUESTION, "Zephyr orchid", Corpus.ORCHID_V2_WORD)) {
            assertThat(citedDocIds(ask(question))).doesNotContain(Corpus.ORCHID_V2.id());
        }
    }

    @Test
    @Order(4)
    void aMalformedLineIsReportedAndTheRestIsSubmitted() throws Exception {
        Path mixed = tempDir.resolve("mixed.jsonl");
        Files.writeString(mixed, """
                {"id": "comet-1", "title": "Comet Varga", "text": "Comet Varga returns every 93 years and glows green."}
                {"id": "broken", "text": 
                {"title": "no id here", "text": "This line has no id."}
                """);

        CliRun submit = cli("submit", "--collection", COLLECTION, "--wait", mixed.toString());

        assertThat(submit.exitCode()).isEqualTo(1);
        assertThat(submit.err()).contains(mixed + ":2").contains(mixed + ":3").contains("id");
        assertThat(submit.out()).contains("submitted 1 documents");
        assertThat(citedDocIds(ask("How often does Comet Varga return?"))).first().isEqualTo("comet-1");
    }

    @Test
    @Order(5)
    void aJsonDocumentProducedWithKcatBecomesSearchable() throws Exception {
        Optional<Path> kcat = Kcat.find();
        Assumptions.assumeTrue(kcat.isPresent(), "kcat is not installed (Debian: apt-get install kcat): the JSON"
                + " submission through a non-Java Kafka client is not tested here");
        String json = "{\"collection\":\"" + COLLECTION + "\",\"docId\":\"kcat-1\",\"version\":1,"
                + "\"title\":\"Nimbus lighthouse\",\"text\":\"The Nimbus lighthouse on Skerry Point flashes violet"
                + " light every nine seconds.\",\"metadata\":{\"via\":\"kcat\"}}";

        try (StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10));
             IndexChangeWatcher watcher = client.watchIndexChanges()) {
            Kcat.produce(kcat.get(), stack.bootstrapServers(), Topics.DOCUMENTS.name(), COLLECTION + "/kcat-1", json);
            watcher.awaitVersions(Map.of(COLLECTION + "/kcat-1", 1L), Duration.ofSeconds(120));
        }

        assertThat(citedDocIds(ask("What colour does the Nimbus lighthouse flash?"))).first().isEqualTo("kcat-1");
    }

    @Test
    @Order(6)
    void waitingReportsADeadLetteredDocumentWithTheJobsReason() {
        DocumentEvent bad = DocumentEvents.upsert("Bad Name!", "d1", 1, null, "text", Map.of(), null);

        try (StreamragClient client = StreamragClient.connect(stack.bootstrapServers(), Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> client.sendAndAwaitVisible(List.of(bad), Duration.ofSeconds(120)))
                    .isInstanceOfSatisfying(DocumentRejectedException.class, e -> {
                        assertThat(e.documentKey()).isEqualTo("Bad Name!/d1");
                        assertThat(e.reason()).isEqualTo(CollectionNames.problem("Bad Name!").orElseThrow());
                    });
        }
    }

    private JsonNode ask(String question) {
        JsonNode node = cli("ask", "--collection", COLLECTION, "--json", "--top-k", "3", question).answer();
        assertThat(node.get("requestId").asText()).isNotBlank();
        assertThat(node.get("timingsMs").has("total")).isTrue();
        return node;
    }

    private static List<String> citedDocIds(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("citations").forEach(c -> ids.add(c.get("docId").asText()));
        return ids;
    }

    private CliRun cli(String... args) {
        return CliRun.against(stack.bootstrapServers(), args);
    }
}

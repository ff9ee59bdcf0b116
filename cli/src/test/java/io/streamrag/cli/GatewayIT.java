package io.streamrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.streamrag.cli.dev.DevSettings;
import io.streamrag.cli.dev.DevStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP gateway of a real dev stack (Kafka, the ingest job, the query and invalidation processors, Redis, the
 * ONNX model), driven over HTTP as a user would, and through the official OpenAI Java SDK as an external client:
 * write with read-your-writes, ask (JSON and Server-Sent Events), a cached answer served by the gateway from L1
 * and dropped after an update, chat completions streaming and not, delete. Bad input: GatewayRefusalsIT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayIT {
    private static final String C = "gw";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUESTION = "How tall is the Quillon tower?";

    @TempDir
    static Path tempDir;

    private DevStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startStack() throws Exception {
        stack = DevStack.start(new DevSettings(tempDir.resolve("data"), 0, 0, 0));
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void aDocumentWrittenWithWaitIsSearchableWhenTheCallReturns() throws Exception {
        for (String[] doc : List.of(
                new String[] {"quillon", "The Quillon tower is 412 metres tall and stands in the harbour of Veskar."},
                new String[] {"marrow", "Marrow bridge crosses the river Ilse with seven stone arches."},
                new String[] {"tansy", "Tansy beetles eat only the leaves of the tansy plant in July."})) {
            HttpResponse<String> put = post("/v1/collections/" + C + "/documents?wait=true",
                    "{\"docId\": \"" + doc[0] + "\", \"version\": 1, \"title\": \"" + doc[0] + "\", \"text\": \""
                            + doc[1] + "\"}");
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(json(put).get("searchableAfterMs").asLong()).isNotNegative();
        }

        JsonNode answer = ask(QUESTION);

        assertThat(citedDocIds(answer)).first().isEqualTo("quillon");
        assertThat(answer.get("answer").asText()).contains("412");
        assertThat(answer.get("degradationMode").asText()).isEqualTo("normal");
        assertThat(answer.get("timingsMs").fieldNames()).toIterable()
                .containsExactly("embed", "retrieve", "rerank", "generate", "total");
    }

    @Test
    @Order(2)
    void aRepeatedQuestionIsServedByTheGatewayFromL1AndAnUpdateDropsIt() throws Exception {
        // a question of its own: the stack's very first answer may skip the L1 write (a cold Redis round trip over
        // the cache's 50 ms timeout bypasses the cache for that request)
        String question = "What is the height of the Quillon tower?";
        JsonNode first = ask(question);
        assertThat(first.get("answer").asText()).contains("412");
        double l1Before = l1Answers();

        JsonNode cached = ask(question);

        assertThat(cached.get("cache").toString()).contains("L1");
        assertThat(l1Answers()).isEqualTo(l1Before + 1);

        HttpResponse<String> update = post("/v1/collections/" + C + "/documents?wait=true",
                "{\"docId\": \"quillon\", \"version\": 2, \"text\": \"The Quillon tower is 530 metres tall since its"
                        + " new spire and stands in the harbour of Veskar.\"}");
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);

        JsonNode fresh = ask(question);
        assertThat(fresh.get("cache").toString()).doesNotContain("L1");
        assertThat(fresh.get("answer").asText()).contains("530").doesNotContain("412");
        assertThat(fresh.get("citations").get(0).get("chunkId").asText()).endsWith("@2");
        assertThat(fresh.get("citations").get(0).get("version").asLong()).isEqualTo(2);
    }

    @Test
    @Order(3)
    void serverSentEventsCarryTheAnswerThenTheCitationsThenDone() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v1/collections/" + C + "/query"))
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"What do tansy beetles eat?\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        Map<String, JsonNode> events = new LinkedHashMap<>();
        for (String event : response.body().split("\n\n")) {
            String[] lines = event.split("\n");
            events.put(lines[0].substring("event: ".length()), JSON.readTree(lines[1].substring("data: ".length())));
        }
        assertThat(events.keySet()).containsExactly("answer", "citations", "done");
        assertThat(events.get("answer").get("text").asText()).containsIgnoringCase("tansy");
        assertThat(events.get("citations").get(0).get("docId").asText()).isEqualTo("tansy");
        assertThat(events.get("done").get("degradationMode").asText()).isEqualTo("normal");
    }

    @Test
    @Order(4)
    void theOpenAiJavaSdkGetsCitedAnswersStreamingAndNot() {
        OpenAIClient openAi = OpenAIOkHttpClient.builder().baseUrl(stack.gatewayUrl() + "/v1").apiKey("unused")
                .maxRetries(0).build();
        try {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(C)
                    .addSystemMessage("Answer from the documents.")
                    .addUserMessage("Which river does Marrow bridge cross?").build();

            ChatCompletion completion = openAi.chat().completions().create(params);

            String content = completion.choices().get(0).message().content().orElseThrow();
            assertThat(content).contains("Ilse").contains("Sources:").contains("[1] marrow");
            JsonValue citations = completion._additionalProperties().get("citations");
            assertThat(citations.toString()).contains("marrow");

            StringBuilder streamed = new StringBuilder();
            List<String> finishReasons = new ArrayList<>();
            try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                    choice.delta().content().ifPresent(streamed::append);
                    choice.finishReason().ifPresent(r -> finishReasons.add(r.asString()));
                }));
            }
            assertThat(streamed.toString()).contains("Ilse").contains("[1] marrow");
            assertThat(finishReasons).containsExactly("stop");
        } finally {
            openAi.close();
        }
    }

    @Test
    @Order(5)
    void aDeletedDocumentIsNotCitedAfterTheDeleteReturns() throws Exception {
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(uri("/v1/collections/" + C
                + "/documents/marrow?wait=true")).DELETE().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
        assertThat(citedDocIds(ask("Which river does Marrow bridge cross?"))).doesNotContain("marrow");
    }

    private double l1Answers() throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("streamrag_gateway_answers_total{") && line.contains("route=\"l1\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private JsonNode ask(String question) throws Exception {
        HttpResponse<String> response = post("/v1/collections/" + C + "/query",
                JSON.writeValueAsString(Map.of("question", question, "topK", 3)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static List<String> citedDocIds(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("citations").forEach(c -> ids.add(c.get("docId").asText()));
        return ids;
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create(stack.gatewayUrl() + path);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

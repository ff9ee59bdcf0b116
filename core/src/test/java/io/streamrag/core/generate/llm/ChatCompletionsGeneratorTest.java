package io.streamrag.core.generate.llm;

import static io.streamrag.core.generate.llm.OpenAiTestServer.completion;
import static io.streamrag.core.generate.llm.OpenAiTestServer.error;
import static io.streamrag.core.generate.llm.OpenAiTestServer.quirkyStreaming;
import static io.streamrag.core.generate.llm.OpenAiTestServer.raw;
import static io.streamrag.core.generate.llm.OpenAiTestServer.silence;
import static io.streamrag.core.generate.llm.OpenAiTestServer.streamCut;
import static io.streamrag.core.generate.llm.OpenAiTestServer.streamEndingEarly;
import static io.streamrag.core.generate.llm.OpenAiTestServer.streamStalling;
import static io.streamrag.core.generate.llm.OpenAiTestServer.streamedEvent;
import static io.streamrag.core.generate.llm.OpenAiTestServer.streaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.GenerationException;
import io.streamrag.core.store.ScoredChunk;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ChatCompletionsGenerator} against a scripted OpenAI-protocol server on loopback. */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a safety net against hangs, not a timing assertion
class ChatCompletionsGeneratorTest {
    private static final String QUESTION = "How does Flink recover after a failure?";

    private final ScoredChunk kafka = hit("kafka", "Kafka", "Kafka is a distributed event log.", 0.4);
    private final ScoredChunk flink = hit("flink", "Flink", "Flink restores the latest checkpoint after a failure.",
            0.9);
    /** Retrieval order: flink ranks first, but canonical order (by doc id) numbers it 1 anyway. */
    private final List<ScoredChunk> context = List.of(kafka, flink);

    private OpenAiTestServer server;
    private ChatCompletionsGenerator generator;

    @BeforeEach
    void startServer() throws IOException {
        server = new OpenAiTestServer();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (generator != null) {
            generator.close();
        }
        server.close();
    }

    private static ScoredChunk hit(String docId, String title, String text, double score) {
        return new ScoredChunk(new Chunk("c/" + docId + "#0@1", "c", docId, 1, 0, title, text, Map.of()), score);
    }

    /** A generator for the test server with tiny backoffs, so retries cost no noticeable time. */
    private ChatCompletionsGenerator.Builder client() {
        return ChatCompletionsGenerator.builder()
                .baseUrl(server.baseUrl())
                .model("test-model")
                .apiKey("sk-test")
                .maxAttempts(3)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .maxRetryAfter(Duration.ofMillis(20))
                .requestTimeout(Duration.ofSeconds(10));
    }

    private Answer ask(ChatCompletionsGenerator.Builder builder) {
        generator = builder.build();
        return generator.generate(QUESTION, context);
    }

    @Test
    void streamsTheAnswerAndCitesTheChunksItNames() {
        server.enqueue(streaming("Flink restores ", "the latest checkpoint ", "[1]."));

        Answer answer = ask(client());

        assertThat(answer.text()).isEqualTo("Flink restores the latest checkpoint [1].");
        assertThat(answer.citations()).containsExactly(
                new Citation(1, "flink", flink.chunk().chunkId(), 0.9, flink.chunk().text()));
    }

    @Test
    void sendsTheOpenAiRequest() {
        server.enqueue(streaming("Fine [1]."));

        ask(client().temperature(0.0).maxTokens(64));

        assertThat(server.requests()).hasSize(1);
        OpenAiTestServer.Recorded request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.headers().getFirst("Authorization")).isEqualTo("Bearer sk-test");
        assertThat(request.headers().getFirst("Content-Type")).isEqualTo("application/json");
        JsonNode body = request.json();
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.0);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(2);
        assertThat(messages.path(0).path("role").asText()).isEqualTo("system");
        assertThat(messages.path(0).path("content").asText()).isEqualTo(PromptBuilder.DEFAULT_SYSTEM_PROMPT);
        assertThat(messages.path(1).path("role").asText()).isEqualTo("user");
        String user = messages.path(1).path("content").asText();
        assertThat(user).isEqualTo(new PromptBuilder().build(QUESTION, context).user());
        assertThat(user.indexOf("[1] (document: flink")).isLessThan(user.indexOf("[2] (document: kafka"));
        assertThat(user).endsWith("Question: " + QUESTION + "\nAnswer from the passages above only, citing them "
                + "as [n].");
    }

    @Test
    void sendsNoAuthorizationWithoutAKey() {
        server.enqueue(streaming("Fine [1]."));

        ask(client().apiKey(null));

        assertThat(server.requests().get(0).headers().containsKey("Authorization")).isFalse();
    }

    @Test
    void readsANonStreamedCompletion() {
        server.enqueue(completion("Kafka is an event log [2]."));

        Answer answer = ask(client().stream(false));

        assertThat(server.requests().get(0).json().path("stream").asBoolean()).isFalse();
        assertThat(answer.text()).isEqualTo("Kafka is an event log [2].");
        assertThat(answer.citations()).extracting(Citation::docId).containsExactly("kafka");
    }

    @Test
    void readsAPlainCompletionWhenTheServerIgnoresStream() {
        server.enqueue(completion("Kafka [2]."));

        assertThat(ask(client()).text()).isEqualTo("Kafka [2].");
    }

    @Test
    void toleratesCommentsCrlfUsageChunksAndAFinishWithoutDone() {
        server.enqueue(quirkyStreaming("Flink ", "recovers [1]."));

        Answer answer = ask(client());

        assertThat(answer.text()).isEqualTo("Flink recovers [1].");
        assertThat(answer.citations()).extracting(Citation::number).containsExactly(1);
    }

    @Test
    void answerWithoutMarkersHasNoCitations() {
        server.enqueue(streaming("I do not know."));

        Answer answer = ask(client());

        assertThat(answer.text()).isEqualTo("I do not know.");
        assertThat(answer.citations()).isEmpty();
    }

    @Test
    void dropsALeadingReasoningBlock() {
        server.enqueue(streaming("<think>maybe [2]?</think>", "\n\nFlink restores checkpoints [1]."));

        Answer answer = ask(client());

        assertThat(answer.text()).isEqualTo("Flink restores checkpoints [1].");
        assertThat(answer.citations()).extracting(Citation::number).containsExactly(1);
    }

    @Test
    void answersAnEmptyContextWithoutCallingTheModel() {
        generator = client().build();

        Answer answer = generator.generate(QUESTION, List.of());

        assertThat(answer.text()).isEqualTo(ExtractiveGenerator.NO_ANSWER);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void honoursRetryAfterOn429ThenSucceeds() {
        server.enqueue(error(429, "rate limited", Map.of("Retry-After", "1")), streaming("Fine [1]."));

        Answer answer = ask(client());

        assertThat(answer.text()).isEqualTo("Fine [1].");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void retries503TwiceThenSucceeds() {
        server.enqueue(error(503, "loading model", Map.of()), error(503, "loading model", Map.of()),
                streaming("Fine [2]."));

        Answer answer = ask(client());

        assertThat(answer.text()).isEqualTo("Fine [2].");
        assertThat(server.requests()).hasSize(3);
        // Every attempt sends the same request.
        assertThat(server.requests()).extracting(OpenAiTestServer.Recorded::body).containsOnly(
                server.requests().get(0).body());
    }

    @Test
    void givesUpAfterMaxAttemptsNamingEndpointAndStatus() {
        server.enqueue(error(502, "bad gateway", Map.of()), error(500, "oops", Map.of()),
                error(503, "overloaded", Map.of()), streaming("never read"));

        assertThatThrownBy(() -> ask(client()))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining(server.baseUrl() + "/chat/completions")
                .hasMessageContaining("after 3 attempts")
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("overloaded");
        assertThat(server.requests()).hasSize(3);
    }

    @ParameterizedTest
    @CsvSource({
        "400, check the model name",
        "401, check the API key",
        "403, check the API key",
        "404, check the base URL",
        "422, unexpected status",
    })
    void clientErrorsFailAtOnceSayingWhatToCheck(int status, String hint) {
        server.enqueue(error(status, "no such thing", Map.of()), streaming("never read"));

        assertThatThrownBy(() -> ask(client()))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining(server.baseUrl() + "/chat/completions")
                .hasMessageContaining("HTTP " + status + ": no such thing")
                .hasMessageContaining(hint)
                .hasMessageNotContaining("sk-test");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aStreamCutMidwayIsRetriedAndNeverReturnedHalfDone() {
        server.enqueue(streamCut("Flink rest"), streaming("Flink restores checkpoints [1]."));

        Answer answer = ask(client());

        assertThat(answer.text()).isEqualTo("Flink restores checkpoints [1].");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void streamsCutEveryTimeFail() {
        server.enqueue(streamCut("Flink rest"), streamCut("Flink rest"));

        assertThatThrownBy(() -> ask(client().maxAttempts(2)))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("after 2 attempts")
                .hasMessageContaining("I/O error");
    }

    @Test
    void aStreamEndingBeforeDoneIsAFailure() {
        server.enqueue(streamEndingEarly("Flink rest"));

        assertThatThrownBy(() -> ask(client().maxAttempts(1)))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("ended before [DONE]");
    }

    @Test
    void anErrorInsideTheStreamIsRetried() {
        server.enqueue(streamedEvent("{\"error\":{\"message\":\"engine died\"}}"), streaming("Fine [1]."));

        assertThat(ask(client()).text()).isEqualTo("Fine [1].");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aSilentServerTimesOut() {
        server.enqueue(silence(), silence());

        assertThatThrownBy(() -> ask(client().maxAttempts(2).requestTimeout(Duration.ofMillis(300))))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("after 2 attempts")
                .hasMessageContaining("timed out");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aStallingStreamTimesOut() {
        server.enqueue(streamStalling("Flink rest"));

        assertThatThrownBy(() -> ask(client().maxAttempts(1).requestTimeout(Duration.ofMillis(300))))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void aTimedOutStreamIsHungUp() throws InterruptedException {
        CountDownLatch hungUp = new CountDownLatch(1);
        server.enqueue(OpenAiTestServer.streamKeepingAlive(hungUp, "Flink rest"));

        assertThatThrownBy(() -> ask(client().maxAttempts(1).requestTimeout(Duration.ofMillis(300))))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("timed out");
        // The abandoned exchange must not keep its connection (and a thread reading it) alive.
        assertThat(hungUp.await(30, TimeUnit.SECONDS)).as("client closed the connection").isTrue();
    }

    @Test
    void malformedJsonFailsWithoutRetry() {
        server.enqueue(raw(200, "application/json", "{\"choices\": [", Map.of()), streaming("never read"));

        assertThatThrownBy(() -> ask(client().stream(false)))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("base URL");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aMalformedStreamChunkFailsWithoutRetry() {
        server.enqueue(streamedEvent("{not json"), streaming("never read"));

        assertThatThrownBy(() -> ask(client()))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("stream chunk is not valid JSON");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void anHtmlPageIsNotAnAnswer() {
        server.enqueue(raw(200, "text/html", "<html>welcome to nginx</html>", Map.of()));

        assertThatThrownBy(() -> ask(client()))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void anEmptyAnswerIsAFailure() {
        server.enqueue(streaming("<think>the whole budget"));

        assertThatThrownBy(() -> ask(client()))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("empty answer");
    }

    @Test
    void aRefusedConnectionIsRetriedThenFails() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        generator = client().baseUrl("http://127.0.0.1:" + closedPort + "/v1").maxAttempts(2).build();

        assertThatThrownBy(() -> generator.generate(QUESTION, context))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("http://127.0.0.1:" + closedPort + "/v1/chat/completions")
                .hasMessageContaining("after 2 attempts")
                .hasMessageContaining("cannot connect");
    }

    @Test
    void anInterruptStopsAtOnceAndKeepsTheFlag() throws InterruptedException {
        server.enqueue(silence(), silence());
        generator = client().build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();

        Thread caller = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                generator.generate(QUESTION, context);
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        caller.join();

        assertThat(thrown.get()).isInstanceOf(GenerationException.class).hasMessageContaining("interrupted");
        assertThat(stillInterrupted).isTrue();
        assertThat(server.requests()).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void aClosedGeneratorRefusesCalls() {
        generator = client().build();
        generator.close();

        assertThatThrownBy(() -> generator.generate(QUESTION, context)).isInstanceOf(IllegalStateException.class);
    }
}

package io.streamrag.core.generate.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.GenerationException;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.store.ScoredChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FallbackGeneratorTest {
    private static final String QUESTION = "How does Flink recover after a failure?";
    private final List<ScoredChunk> context = List.of(new ScoredChunk(new Chunk("c/flink#0@1", "c", "flink", 1, 0,
            "Flink", "Flink is a stream processor. After a failure Flink restores the latest checkpoint.", Map.of()),
            0.8));
    private final Answer llmAnswer = new Answer("From the LLM [1].", List.of());
    private final Generator extractive = new ExtractiveGenerator();

    @Test
    void thePrimaryAnswersWhenItCan() {
        FallbackGenerator generator = new FallbackGenerator((q, c) -> llmAnswer, extractive);

        FallbackGenerator.Outcome outcome = generator.generateWithOutcome(QUESTION, context);

        assertThat(outcome.answer()).isEqualTo(llmAnswer);
        assertThat(outcome.usedFallback()).isFalse();
        assertThat(outcome.primaryFailure()).isEmpty();
        assertThat(generator.generate(QUESTION, context)).isEqualTo(llmAnswer);
    }

    @Test
    void theFallbackAnswersWhenThePrimaryFails() {
        GenerationException down = new GenerationException("LLM down");
        FallbackGenerator generator = new FallbackGenerator((q, c) -> {
            throw down;
        }, extractive);

        FallbackGenerator.Outcome outcome = generator.generateWithOutcome(QUESTION, context);

        assertThat(outcome.usedFallback()).isTrue();
        assertThat(outcome.primaryFailure()).containsSame(down);
        assertThat(outcome.answer()).isEqualTo(extractive.generate(QUESTION, context));
        assertThat(outcome.answer().citations()).extracting(Citation::docId).containsExactly("flink");
    }

    @Test
    void fallsBackFromARealEndpointThatIsDown() throws IOException, InterruptedException {
        try (OpenAiTestServer server = new OpenAiTestServer();
             ChatCompletionsGenerator llm = ChatCompletionsGenerator.builder().baseUrl(server.baseUrl())
                     .model("m").maxAttempts(2).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build()) {
            server.enqueue(OpenAiTestServer.error(503, "down", Map.of()), OpenAiTestServer.error(503, "down",
                    Map.of()));

            FallbackGenerator.Outcome outcome = new FallbackGenerator(llm, extractive)
                    .generateWithOutcome(QUESTION, context);

            assertThat(outcome.usedFallback()).isTrue();
            assertThat(outcome.primaryFailure().orElseThrow()).hasMessageContaining("HTTP 503");
            assertThat(outcome.answer().text()).contains("Flink restores the latest checkpoint");
            assertThat(server.requests()).hasSize(2);
        }
    }

    @Test
    void otherExceptionsAreBugsAndPropagate() {
        IllegalStateException bug = new IllegalStateException("bug");
        FallbackGenerator generator = new FallbackGenerator((q, c) -> {
            throw bug;
        }, extractive);

        assertThatThrownBy(() -> generator.generateWithOutcome(QUESTION, context)).isSameAs(bug);
    }

    @Test
    void fallsBackOnWhatThePredicateAccepts() {
        IllegalStateException breakerOpen = new IllegalStateException("breaker open");
        FallbackGenerator generator = new FallbackGenerator((q, c) -> {
            throw breakerOpen;
        }, extractive, e -> e instanceof GenerationException || e == breakerOpen);

        assertThat(generator.generateWithOutcome(QUESTION, context).primaryFailure()).containsSame(breakerOpen);
    }

    @Test
    void whenBothFailTheFallbacksFailureCarriesThePrimarys() {
        GenerationException primary = new GenerationException("LLM down");
        IllegalStateException secondary = new IllegalStateException("fallback broken");
        FallbackGenerator generator = new FallbackGenerator((q, c) -> {
            throw primary;
        }, (q, c) -> {
            throw secondary;
        });

        assertThatThrownBy(() -> generator.generate(QUESTION, context))
                .isSameAs(secondary)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(primary));
    }
}

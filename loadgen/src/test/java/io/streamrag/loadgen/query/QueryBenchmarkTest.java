package io.streamrag.loadgen.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.llm.ChatCompletionsGenerator;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.schemas.QueryResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The benchmark's own parts, without Kafka: the LLM stand-in speaks the protocol our client speaks; the options. */
class QueryBenchmarkTest {
    private static final List<ScoredChunk> CONTEXT = List.of(new ScoredChunk(
            new Chunk("c/d#0@1", "c", "d", 1, 0, "Title", "Aspirin lowers the risk of stroke.", Map.of()), 1.0));

    @Test
    void theStandInAnswersOurClientStreamedAndNot() throws Exception {
        try (FixedLatencyLlmServer server = new FixedLatencyLlmServer(Duration.ZERO)) {
            for (boolean stream : List.of(true, false)) {
                try (ChatCompletionsGenerator llm = ChatCompletionsGenerator.builder().baseUrl(server.baseUrl())
                        .model(FixedLatencyLlmServer.MODEL).stream(stream).maxAttempts(1).build()) {
                    Answer answer = llm.generate("Does aspirin prevent strokes?", CONTEXT);

                    assertThat(answer.text()).as("stream=%s", stream).contains("retrieved abstracts");
                }
            }
            assertThat(server.served()).isEqualTo(2);
        }
    }

    @Test
    void everythingElseIsEndToEndMinusInferenceAndTheLlm() {
        LatencyBreakdown latencies = new LatencyBreakdown();
        latencies.record(QueryResponse.newBuilder().setRequestId("r").setAnswer("a")
                .setTimingsMs(Map.of("queue", 4L, "embed", 10L, "retrieve", 5L, "rerank", 0L, "generate", 200L,
                        "total", 216L))
                .build(), Duration.ofMillis(230).toNanos());

        assertThat(latencies.millis(LatencyBreakdown.END_TO_END, 50)).isEqualTo(230.0, within());
        // 230 - (10 embed + 0 rerank + 200 generate): retrieval is not inference, so it counts
        assertThat(latencies.millis(LatencyBreakdown.EVERYTHING_ELSE, 50)).isEqualTo(20.0, within());
        assertThat(latencies.millis(LatencyBreakdown.ENGINE_OTHER, 50)).isEqualTo(1.0, within());
        assertThat(latencies.millis(LatencyBreakdown.AFTER_ENGINE, 50)).isEqualTo(10.0, within());
        assertThat(latencies.millis("queue", 50)).isEqualTo(4.0, within());
        assertThat(latencies.millis("generate", 99)).isEqualTo(200.0, within());
        assertThat(latencies.modes()).containsEntry("normal", 1);
    }

    @Test
    void parsesOptionsWithDefaultsAndRejectsBadOnes() {
        QueryBenchmark.Options o = QueryBenchmark.Options.parse("--rate", "40", "--probe-rates", "60, 70",
                "--partitioning", "hash");
        assertThat(o.rate()).isEqualTo(40.0);
        assertThat(o.probeRates()).containsExactly(60.0, 70.0);
        assertThat(o.roundRobin()).isFalse();
        assertThat(o.llmLatency()).isEqualTo(Duration.ofMillis(200));
        assertThat(o.docs()).isEqualTo(300);
        assertThat(QueryBenchmark.Options.parse("--probe-rates", "").probeRates()).isEmpty();

        assertThatThrownBy(() -> QueryBenchmark.Options.parse("--rtae", "5")).hasMessageContaining("unknown flag --rtae");
        assertThatThrownBy(() -> QueryBenchmark.Options.parse("--rate", "0")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> QueryBenchmark.Options.parse("--partitioning", "random"))
                .hasMessageContaining("random");
        assertThatThrownBy(() -> QueryBenchmark.Options.parse("--seconds")).hasMessageContaining("missing value");
    }

    private static Offset<Double> within() {
        return Offset.offset(0.5);
    }
}

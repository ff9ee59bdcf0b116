package io.streamrag.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.ScoredChunk;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunEvaluatorTest {
    private static final Qrels QRELS = Qrels.of(Map.of(
            "q1", Map.of("d1", 1),
            "q2", Map.of("d2", 1, "d3", 1),
            "q3", Map.of("d9", 0)));

    @Test
    void averagesOverQueriesWithARelevantDocument() {
        RunEvaluator evaluator = new RunEvaluator("bm25", QRELS);

        evaluator.add("q1", List.of("d1"), 2_000_000);               // perfect: all metrics 1
        evaluator.add("q2", List.of("x", "d2"), 4_000_000);          // RR 1/2, recall 1/2
        assertThat(evaluator.add("q3", List.of("d9"), 9_000_000)).isEmpty();  // nothing relevant: skipped
        RunResult result = evaluator.result();

        assertThat(result.mode()).isEqualTo("bm25");
        assertThat(result.queries()).isEqualTo(2);
        assertThat(result.mrr10()).isCloseTo(0.75, within(1e-9));
        assertThat(result.recall10()).isCloseTo(0.75, within(1e-9));
        assertThat(result.recall100()).isCloseTo(0.75, within(1e-9));
        // q2: DCG = 1/log2(3) = 0.63093, IDCG = 1.63093 -> 0.38685; mean with 1.0
        assertThat(result.ndcg10()).isCloseTo((1 + 0.38685280723454163) / 2, within(1e-9));
        assertThat(result.meanRetrievalMs()).isCloseTo(3.0, within(1e-9));
        assertThat(result.available()).isTrue();
    }

    @Test
    void aDocumentRanksAtItsBestChunk() {
        List<ScoredChunk> chunks = List.of(hit("a", 0), hit("b", 0), hit("a", 1), hit("c", 2), hit("b", 1));

        assertThat(DocumentRanking.of(chunks)).containsExactly("a", "b", "c");
    }

    @Test
    void theTableHasOneRowPerModeAndSaysWhyAModeDidNotRun() {
        RunResult bm25 = new RunResult("bm25", 300, 0.66551, 0.8, 0.9, 0.6, 12.34, Optional.empty());

        String table = EvalTable.format(List.of(bm25, RunResult.unavailable("hybrid+rerank", "no reranker configured")));

        assertThat(table.lines()).hasSize(4);
        assertThat(table).contains("nDCG@10").contains("recall@100").contains("MRR@10");
        assertThat(table.lines().skip(2).findFirst().orElseThrow())
                .startsWith("bm25").contains("0.6655").contains("300").contains("12.3");
        assertThat(table).contains("hybrid+rerank   n/a (no reranker configured)");
    }

    private static ScoredChunk hit(String docId, int ordinal) {
        return new ScoredChunk(new Chunk("c/" + docId + "#" + ordinal + "@1", "c", docId, 1, ordinal, "", "text",
                Map.of()), 1.0);
    }
}

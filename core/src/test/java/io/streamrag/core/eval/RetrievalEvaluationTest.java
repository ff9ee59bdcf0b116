package io.streamrag.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.TokenCounter;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetrievalEvaluationTest {
    private static final String COLLECTION = "c";

    @Test
    void retrievesMoreChunksUntilOneHundredDocumentsAreRanked() {
        // 150 documents of 3 chunks each: 200 chunks hold 67 documents, 400 chunks hold 134
        FixedStore store = new FixedStore(chunks(150, 3));
        Qrels qrels = Qrels.of(Map.of("found", Map.of("doc-90", 1), "too-deep", Map.of("doc-120", 1)));
        RetrievalEvaluation evaluation = RetrievalEvaluation.builder().store(store).collection(COLLECTION).build();

        RunResult result = evaluation.run(EvalMode.BM25, Map.of("found", "q", "too-deep", "q"), qrels);

        assertThat(store.keywordKs).containsExactly(200, 400, 200, 400);
        assertThat(result.queries()).isEqualTo(2);
        // doc-90 ranks 91st (inside the top 100), doc-120 ranks 121st (outside)
        assertThat(result.recall100()).isCloseTo(0.5, within(1e-9));
        assertThat(result.recall10()).isZero();
    }

    @Test
    void stopsWhenTheStoreHasNoMoreChunks() {
        FixedStore store = new FixedStore(chunks(5, 2));
        Qrels qrels = Qrels.of(Map.of("q", Map.of("doc-0", 1)));
        RetrievalEvaluation evaluation = RetrievalEvaluation.builder().store(store).collection(COLLECTION).build();

        RunResult result = evaluation.run(EvalMode.BM25, Map.of("q", "text"), qrels);

        assertThat(store.keywordKs).containsExactly(200);
        assertThat(result.mrr10()).isEqualTo(1.0);
    }

    @Test
    void theRerankedModeReordersTheHeadOrIsUnavailableWithoutAReranker() {
        FixedStore store = new FixedStore(chunks(20, 1));
        Qrels qrels = Qrels.of(Map.of("q", Map.of("doc-9", 1)));
        Reranker reverse = (query, candidates, topK) -> {
            List<ScoredChunk> reversed = new ArrayList<>(candidates);
            Collections.reverse(reversed);
            return reversed.subList(0, Math.min(topK, reversed.size()));
        };
        RetrievalEvaluation.Builder builder = RetrievalEvaluation.builder().store(store).collection(COLLECTION)
                .embedder(new ConstantEmbedder());

        RunResult hybrid = builder.build().run(EvalMode.HYBRID, Map.of("q", "text"), qrels);
        RunResult reranked = builder.reranker(Optional.of(reverse)).rerankDepth(10).build()
                .run(EvalMode.HYBRID_RERANK, Map.of("q", "text"), qrels);
        RunResult unavailable = RetrievalEvaluation.builder().store(store).collection(COLLECTION).build()
                .run(EvalMode.HYBRID_RERANK, Map.of("q", "text"), qrels);

        assertThat(hybrid.mrr10()).isCloseTo(0.1, within(1e-9));
        // the reranker saw doc-0..doc-9 and put doc-9 first; doc-10.. stay behind in retrieval order
        assertThat(reranked.mrr10()).isEqualTo(1.0);
        assertThat(reranked.recall100()).isEqualTo(1.0);
        assertThat(unavailable.available()).isFalse();
        assertThat(unavailable.unavailable()).contains("no reranker configured");
    }

    /** {@code docs} documents with {@code perDoc} chunks each, ranked document by document. */
    private static List<ScoredChunk> chunks(int docs, int perDoc) {
        List<ScoredChunk> ranking = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            for (int c = 0; c < perDoc; c++) {
                String docId = "doc-" + d;
                Chunk chunk = new Chunk(COLLECTION + "/" + docId + "#" + c + "@1", COLLECTION, docId, 1, c, "",
                        "text", Map.of());
                ranking.add(new ScoredChunk(chunk, 1.0 / (ranking.size() + 1)));
            }
        }
        return ranking;
    }

    /** A read-only store whose dense and keyword searches both return a fixed ranking; records keyword ks. */
    private static final class FixedStore implements VectorStore {
        final List<ScoredChunk> ranking;
        final List<Integer> keywordKs = new ArrayList<>();

        FixedStore(List<ScoredChunk> ranking) {
            this.ranking = ranking;
        }

        @Override
        public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
            keywordKs.add(k);
            return ranking.subList(0, Math.min(k, ranking.size()));
        }

        @Override
        public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
            return ranking.subList(0, Math.min(k, ranking.size()));
        }

        @Override
        public WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public WriteResult deleteDocument(String collection, String docId) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public long commit() {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void close() {
        }
    }

    /** Every text embeds to the same unit vector: the fixed store ignores it anyway. */
    private static final class ConstantEmbedder implements Embedder {
        @Override
        public List<float[]> embedPassages(List<String> texts) {
            return texts.stream().map(t -> embedQuery(t)).toList();
        }

        @Override
        public float[] embedQuery(String text) {
            return new float[] {1, 0};
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public String modelId() {
            return "constant";
        }

        @Override
        public TokenCounter tokenCounter() {
            return text -> text.split("\\s+").length;
        }

        @Override
        public void close() {
        }
    }
}

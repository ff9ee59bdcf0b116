package io.streamrag.core.search;

import static io.streamrag.core.search.ReciprocalRankFusionTest.hit;
import static io.streamrag.core.search.ReciprocalRankFusionTest.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HybridSearcherTest {
    private static final SearchFilter FILTER = SearchFilter.collection("c");

    /** Returns fixed rankings (cut to k) and records what was asked. */
    static final class ScriptedStore implements VectorStore {
        final List<ScoredChunk> dense;
        final List<ScoredChunk> keyword;
        final List<String> calls = new ArrayList<>();

        ScriptedStore(List<ScoredChunk> dense, List<ScoredChunk> keyword) {
            this.dense = dense;
            this.keyword = keyword;
        }

        @Override
        public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
            calls.add("dense k=" + k + " " + filter.collection());
            return dense.subList(0, Math.min(k, dense.size()));
        }

        @Override
        public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
            calls.add("keyword k=" + k + " " + filter.collection() + " '" + queryText + "'");
            return keyword.subList(0, Math.min(k, keyword.size()));
        }

        @Override
        public WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks) {
            throw new UnsupportedOperationException();
        }

        @Override
        public WriteResult deleteDocument(String collection, String docId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long commit() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    private final ScriptedStore store = new ScriptedStore(
            List.of(hit("d1", 0.9), hit("shared", 0.8), hit("d3", 0.7)),
            List.of(hit("k1", 12.0), hit("shared", 11.0), hit("k3", 3.0)));
    private final float[] vector = {1f, 0f};

    @Test
    void hybridFusesBothRetrieversWithRrf() {
        List<ScoredChunk> hits = new HybridSearcher(store).search("question", vector, 3, FILTER, RetrievalMode.HYBRID);
        assertThat(ids(hits)).containsExactly("shared", "d1", "k1");
        assertThat(hits.get(0).score()).isEqualTo(2.0 / 62);
        assertThat(store.calls).containsExactly("dense k=50 c", "keyword k=50 c 'question'");
    }

    @Test
    void denseAndKeywordModesUseOneRetrieverAndKeepItsScores() {
        List<ScoredChunk> dense = new HybridSearcher(store).search("q", vector, 2, FILTER, RetrievalMode.DENSE);
        assertThat(ids(dense)).containsExactly("d1", "shared");
        assertThat(dense.get(0).score()).isEqualTo(0.9);

        // Keyword mode needs no vector: it must work while the embedder is down.
        List<ScoredChunk> keyword = new HybridSearcher(store).search("q", null, 2, FILTER, RetrievalMode.KEYWORD);
        assertThat(ids(keyword)).containsExactly("k1", "shared");
        assertThat(keyword.get(0).score()).isEqualTo(12.0);
        assertThat(store.calls).containsExactly("dense k=2 c", "keyword k=2 c 'q'");
    }

    @Test
    void candidatesAreConfigurableAndNeverBelowK() {
        HybridSearcher searcher = new HybridSearcher(store, 2, new ReciprocalRankFusion(60));
        searcher.search("q", vector, 1, FILTER, RetrievalMode.HYBRID);
        searcher.search("q", vector, 5, FILTER, RetrievalMode.HYBRID);
        assertThat(store.calls).containsExactly("dense k=2 c", "keyword k=2 c 'q'", "dense k=5 c", "keyword k=5 c 'q'");
    }

    @Test
    void modesThatNeedAVectorRefuseNull() {
        HybridSearcher searcher = new HybridSearcher(store);
        assertThatThrownBy(() -> searcher.search("q", null, 3, FILTER, RetrievalMode.HYBRID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HYBRID");
        assertThatThrownBy(() -> searcher.search("q", null, 3, FILTER, RetrievalMode.DENSE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DENSE");
        assertThatThrownBy(() -> new HybridSearcher(store, 0, new ReciprocalRankFusion()))
                .hasMessage("candidates must be > 0, got 0");
        assertThat(store.calls).isEmpty();
    }
}

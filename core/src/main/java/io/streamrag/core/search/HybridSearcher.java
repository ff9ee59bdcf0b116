package io.streamrag.core.search;

import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import java.util.List;
import java.util.Objects;

/**
 * Retrieves chunks from a {@link VectorStore} by dense kNN, by BM25, or by both fused with
 * {@link ReciprocalRankFusion} ({@link RetrievalMode}). In hybrid mode each retriever contributes its top
 * {@code max(candidates, k)} before fusion, so a chunk ranked moderately by both can still surface.
 *
 * <p>Scores of the result: fused RRF scores in {@link RetrievalMode#HYBRID}, the store's own scores otherwise.
 * Thread-safe when the store is (searches of a {@link VectorStore} are). Does not own the store.
 */
public final class HybridSearcher {
    public static final int DEFAULT_CANDIDATES = 50;

    private final VectorStore store;
    private final int candidates;
    private final ReciprocalRankFusion fusion;

    /** A searcher with {@value #DEFAULT_CANDIDATES} candidates per retriever and RRF k = 60. */
    public HybridSearcher(VectorStore store) {
        this(store, DEFAULT_CANDIDATES, new ReciprocalRankFusion());
    }

    /**
     * @param candidates hits each retriever contributes to fusion, > 0 (raised to k when a search asks for more)
     * @param fusion     how hybrid mode fuses the two rankings
     */
    public HybridSearcher(VectorStore store, int candidates, ReciprocalRankFusion fusion) {
        this.store = Objects.requireNonNull(store, "store");
        if (candidates <= 0) {
            throw new IllegalArgumentException("candidates must be > 0, got " + candidates);
        }
        this.candidates = candidates;
        this.fusion = Objects.requireNonNull(fusion, "fusion");
    }

    /**
     * The best {@code k} chunks for the query, best first.
     *
     * @param queryText   the question as typed; used by BM25 ({@link RetrievalMode#DENSE} ignores it)
     * @param queryVector the embedded question; required unless {@code mode} is {@link RetrievalMode#KEYWORD}
     * @throws IllegalArgumentException when the mode needs a query vector and none is given, or k <= 0
     */
    public List<ScoredChunk> search(String queryText, float[] queryVector, int k, SearchFilter filter,
                                    RetrievalMode mode) {
        Objects.requireNonNull(queryText, "queryText");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(mode, "mode");
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        if (mode != RetrievalMode.KEYWORD && queryVector == null) {
            throw new IllegalArgumentException("retrieval mode " + mode + " needs a query vector, got null");
        }
        return switch (mode) {
            case DENSE -> store.searchDense(queryVector, k, filter);
            case KEYWORD -> store.searchKeyword(queryText, k, filter);
            case HYBRID -> {
                int perRetriever = Math.max(candidates, k);
                List<ScoredChunk> dense = store.searchDense(queryVector, perRetriever, filter);
                List<ScoredChunk> keyword = store.searchKeyword(queryText, perRetriever, filter);
                yield fusion.fuse(List.of(dense, keyword), k);
            }
        };
    }

    public int candidates() {
        return candidates;
    }
}
